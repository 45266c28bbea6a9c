with

source as (

    select * from {{ source('salesforce', 'accounts') }}

),

renamed as (

    select
        _source as source_name,
        'salesforce' as crm_system,
        id as crm_account_id,
        customer_number as customer_id,
        name as account_name,
        customer_type,
        cast(numberofemployees as integer) as size_employees,
        product,
        region,
        cast(createddate as timestamp with time zone) as created_at,
        cast(churned_at as timestamp with time zone) as churned_at,
        cast(systemmodstamp as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
