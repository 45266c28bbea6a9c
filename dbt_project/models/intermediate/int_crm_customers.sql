{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_vanished_keys('customer_id', ref('int_crm_accounts')) }}",
    )
}}

-- One row per customer (our customer number) across CRMs: the most recently updated account wins.
--
-- Incremental (delete+insert of a customer's row): a run recomputes the customers of the accounts
-- landed since the last run and those such an account was taken from (int_crm_record_owners); the
-- pre_hook deletes customers no account names any more.
with

accounts as (

    select * from {{ ref('int_crm_accounts') }}
    where customer_id is not null

),

crm_record_owners as {{ not_materialized() }} (

    select * from {{ ref('int_crm_record_owners') }}
    where record_type = 'account'

),

{% if is_incremental() %}
changed_customers as (

    {{ customers_of_landed_records('crm_record_owners', 'loaded_at') }}

),

accounts_to_rank as (

    select * from accounts
    where customer_id in (select customer_id from changed_customers)

),
{% else %}
accounts_to_rank as (

    select * from accounts

),
{% endif %}

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by updated_at desc, crm_system, source_name, crm_account_id
        ) as recency_rank,
        max(loaded_at) over (partition by customer_id) as last_loaded_at

    from accounts_to_rank

),

final as (

    select
        customer_id,
        crm_system,
        source_name,
        crm_account_id,
        account_name,
        customer_type,
        size_employees,
        product,
        region,
        created_at,
        churned_at,
        churned_at is null as is_active,
        updated_at,
        last_loaded_at as loaded_at

    from ranked
    where recency_rank = 1

)

select * from final
