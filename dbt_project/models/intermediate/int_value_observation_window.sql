-- The time span the customer value data covers, one row: whole days (UTC) from the first to the last
-- day with a rating or a won deal of a CRM customer, and the calendar quarters that start inside it.
-- Which quarters there are, and which outcomes are fully observed, follow from it
-- (int_customer_quarters, customer_value_cohorts). A table of one row: two aggregates a run.
with

customer_ratings as (

    select * from {{ ref('customer_ratings') }}
    where customer_id is not null

),

crm_accounts as (

    select * from {{ ref('int_crm_accounts') }}

),

hubspot_deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

deals_unioned as (

    select source_name, crm_system, crm_account_id, is_won, closed_at from hubspot_deals
    union all
    select source_name, crm_system, crm_account_id, is_won, closed_at from salesforce_opportunities

),

-- Closed-won deals of a customer; a deal both CRMs hold closes on the same day in both, so the
-- copies do not move the span.
won_deals as (

    select cast(deals_unioned.closed_at at time zone 'UTC' as timestamp) as closed_at_utc

    from deals_unioned
    inner join crm_accounts
        on deals_unioned.source_name = crm_accounts.source_name
        and deals_unioned.crm_system = crm_accounts.crm_system
        and deals_unioned.crm_account_id = crm_accounts.crm_account_id
    where deals_unioned.is_won
        and deals_unioned.closed_at is not null
        and crm_accounts.customer_id is not null

),

events as (

    select cast(responded_at at time zone 'UTC' as timestamp) as happened_at_utc from customer_ratings
    union all
    select closed_at_utc as happened_at_utc from won_deals

),

span as (

    select
        cast(min(happened_at_utc) as date) as observed_since_date,
        cast({{ dbt.dateadd('day', 1, 'cast(max(happened_at_utc) as date)') }} as date) as observed_until_date,
        {{ period_start('quarter', 'cast(min(happened_at_utc) as date)') }} as since_quarter_date,
        {{ period_start('quarter', 'cast(max(happened_at_utc) as date)') }} as until_quarter_date

    from events

),

-- The first quarter starting on or after the first day, the last one starting before the end.
final as (

    select
        observed_since_date,
        observed_until_date,
        case
            when since_quarter_date < observed_since_date then {{ shift_period('quarter', 'since_quarter_date', 1) }}
            else since_quarter_date
        end as first_quarter_date,
        until_quarter_date as last_quarter_date

    from span

)

select * from final
