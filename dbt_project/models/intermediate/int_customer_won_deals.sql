{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ delete_stale_won_deals() }}",
    )
}}

-- Every closed-won deal (HubSpot deals, Salesforce opportunities) on an account of a CRM customer,
-- one row per CRM record. A deal both CRMs hold counts once: same customer, product, amount and
-- close day (UTC; Salesforce keeps the close date only); is_counted marks the earliest copy.
--
-- Incremental (delete+insert of a customer's rows): a run recomputes the customers of the deals and
-- accounts landed since the last run, and the customers whose stored rows those deals and accounts
-- were (a deal moved or no longer won, an account given another customer number); the post_hook
-- deletes the stale rows of those left without any won deal. A record leaves raw data only when a
-- customer is erased, which rebuilds every model in full (nps forget-customer).
with

hubspot_deals as {{ not_materialized() }} (

    select * from {{ ref('stg_hubspot__deals') }}

),

salesforce_opportunities as {{ not_materialized() }} (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

all_crm_accounts as {{ not_materialized() }} (

    select * from {{ ref('int_crm_accounts') }}

),

crm_accounts as (

    select * from all_crm_accounts
    where customer_id is not null

),

deals_unioned as {{ not_materialized() }} (

    select
        source_name, crm_system, crm_deal_id, crm_account_id, product, amount, is_won, closed_at, loaded_at
    from hubspot_deals
    union all
    select
        source_name, crm_system, crm_deal_id, crm_account_id, product, amount, is_won, closed_at, loaded_at
    from salesforce_opportunities

),

{% if is_incremental() %}
stored_won_deals as {{ not_materialized() }} (

    select * from {{ this }}

),

deals_landed as (

    select source_name, crm_system, crm_deal_id, crm_account_id
    from deals_unioned
    where loaded_at > {{ watermark('loaded_at') }}

),

accounts_landed as (

    select source_name, crm_system, crm_account_id, customer_id
    from all_crm_accounts
    where loaded_at > {{ watermark('account_loaded_at') }}

),

changed_customers as (

    select crm_accounts.customer_id
    from deals_landed
    inner join crm_accounts
        on deals_landed.source_name = crm_accounts.source_name
        and deals_landed.crm_system = crm_accounts.crm_system
        and deals_landed.crm_account_id = crm_accounts.crm_account_id

    union

    select customer_id
    from accounts_landed
    where customer_id is not null

    union

    select stored_won_deals.customer_id
    from stored_won_deals
    inner join deals_landed
        on stored_won_deals.source_name = deals_landed.source_name
        and stored_won_deals.crm_system = deals_landed.crm_system
        and stored_won_deals.crm_deal_id = deals_landed.crm_deal_id

    union

    select stored_won_deals.customer_id
    from stored_won_deals
    inner join accounts_landed
        on stored_won_deals.source_name = accounts_landed.source_name
        and stored_won_deals.crm_system = accounts_landed.crm_system
        and stored_won_deals.crm_account_id = accounts_landed.crm_account_id

),

customer_accounts as (

    select * from crm_accounts
    where customer_id in (select customer_id from changed_customers)

),
{% else %}
customer_accounts as (

    select * from crm_accounts

),
{% endif %}

won_deals as (

    select
        customer_accounts.customer_id,
        deals_unioned.source_name,
        deals_unioned.crm_system,
        deals_unioned.crm_deal_id,
        deals_unioned.crm_account_id,
        deals_unioned.product,
        deals_unioned.amount,
        deals_unioned.closed_at,
        cast(deals_unioned.closed_at at time zone 'UTC' as timestamp) as closed_at_utc,
        deals_unioned.loaded_at,
        customer_accounts.loaded_at as account_loaded_at

    from deals_unioned
    inner join customer_accounts
        on deals_unioned.source_name = customer_accounts.source_name
        and deals_unioned.crm_system = customer_accounts.crm_system
        and deals_unioned.crm_account_id = customer_accounts.crm_account_id
    where deals_unioned.is_won
        and deals_unioned.closed_at is not null

),

final as (

    select
        customer_id,
        source_name,
        crm_system,
        crm_deal_id,
        crm_account_id,
        product,
        amount,
        closed_at,
        closed_at_utc,
        cast(closed_at_utc as date) as closed_date,
        row_number() over (
            partition by customer_id, product, amount, cast(closed_at_utc as date)
            order by closed_at_utc, source_name, crm_system, crm_deal_id
        ) = 1 as is_counted,
        loaded_at,
        account_loaded_at,
        cast('{{ run_started_at.isoformat() }}' as timestamp with time zone) as built_at

    from won_deals

)

select * from final
