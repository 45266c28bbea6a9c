{{
    config(
        materialized='incremental',
        unique_key=['source_name', 'crm_account_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

-- Every CRM account from every CRM, one row per source and account; both CRMs may hold the same
-- customer (same customer_id).
--
-- Incremental (delete+insert by source and account): the accounts landed since the last run replace
-- their rows. A record leaves the raw tables only when a customer is erased, which rebuilds every
-- model in full (nps forget-customer).
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
    {% if is_incremental() -%}
    where loaded_at > {{ watermark('loaded_at') }}
    {%- endif %}

)

select * from final
