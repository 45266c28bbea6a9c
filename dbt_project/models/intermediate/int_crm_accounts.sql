-- Every CRM account from every CRM, one row per source and account; both CRMs may hold the same
-- customer (same customer_id).
with

hubspot_companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

salesforce_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

unioned as (

    select * from hubspot_companies
    union all
    select * from salesforce_accounts

),

final as (

    select
        source_name,
        crm_system,
        crm_account_id,
        {{ normalized_id('customer_id') }} as customer_id,
        account_name,
        customer_type,
        size_employees,
        product,
        region,
        created_at,
        churned_at,
        updated_at,
        loaded_at

    from unioned

)

select * from final
