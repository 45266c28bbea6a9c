with

source as (

    select * from {{ source('hubspot', 'companies') }}

),

renamed as (

    select
        _source as source_name,
        'hubspot' as crm_system,
        id as crm_account_id,
        customer_id,
        name as account_name,
        customer_type,
        cast(numberofemployees as integer) as size_employees,
        product,
        region,
        cast(createdate as timestamp with time zone) as created_at,
        cast(churned_at as timestamp with time zone) as churned_at,
        cast(hs_lastmodifieddate as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
