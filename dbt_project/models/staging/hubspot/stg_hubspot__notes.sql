with

source as (

    select * from {{ source('hubspot', 'notes') }}

),

renamed as (

    select
        _source as source_name,
        'hubspot' as crm_system,
        id as crm_activity_id,
        company_id as crm_account_id,
        cast(hs_timestamp as timestamp with time zone) as occurred_at,
        cast(createdate as timestamp with time zone) as created_at,
        cast(hs_lastmodifieddate as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
