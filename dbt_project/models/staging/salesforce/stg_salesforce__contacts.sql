with

source as (

    select * from {{ source('salesforce', 'contacts') }}

),

renamed as (

    select
        _source as source_name,
        'salesforce' as crm_system,
        id as crm_contact_id,
        accountid as crm_account_id,
        email,
        firstname as first_name,
        lastname as last_name,
        phone,
        cast(createddate as timestamp with time zone) as created_at,
        cast(systemmodstamp as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
