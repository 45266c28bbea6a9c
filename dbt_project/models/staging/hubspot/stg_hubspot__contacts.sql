with

source as (

    select * from {{ source('hubspot', 'contacts') }}

),

renamed as (

    select
        _source as source_name,
        'hubspot' as crm_system,
        id as crm_contact_id,
        company_id as crm_account_id,
        email,
        firstname as first_name,
        lastname as last_name,
        phone,
        cast(createdate as timestamp with time zone) as created_at,
        cast(lastmodifieddate as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
