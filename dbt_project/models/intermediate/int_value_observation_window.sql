-- The time span the customer value data covers, one row: whole days (UTC) from the first to the last
-- day with a rating or a won deal of a CRM customer, and the calendar quarters that start inside it.
-- Which quarters there are, and which outcomes are fully observed, follow from it
-- (int_customer_quarters, customer_value_cohorts). A table of one row: two aggregates a run.
with

customer_ratings as (

    select * from {{ ref('customer_ratings') }}
    where customer_id is not null

),

customer_won_deals as (

    select * from {{ ref('int_customer_won_deals') }}

),

events as (

    select cast(responded_at at time zone 'UTC' as timestamp) as happened_at_utc from customer_ratings
    union all
    select closed_at_utc as happened_at_utc from customer_won_deals

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
