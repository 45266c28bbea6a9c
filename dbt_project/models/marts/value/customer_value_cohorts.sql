{{ config(materialized='table') }}

-- One row per customer and calendar quarter (UTC) the customer started as a customer: the NPS
-- category as of the quarter start, what happened next (revenue, churn) and the controls the value
-- models adjust for. The data's own time span decides which quarters there are and which outcomes
-- are fully observed: outcome windows the data does not cover are null / flagged.
--
-- int_customer_quarters (incremental) holds each row's values that do not depend on where the data
-- ends; what does - which outcome windows are complete, the follow-up time - changes with every day
-- of new data for every recent row, and is worked out here against the span of the data
-- (int_value_observation_window). A table rebuilt every run, not a view: its tests and the value
-- models read it about ten times a night, and as a view each read computed every row again.
with

customer_quarters as (

    select * from {{ ref('int_customer_quarters') }}

),

observation_window as (

    select * from {{ ref('int_value_observation_window') }}

),

bounded as (

    select
        customer_quarters.*,
        cast(customer_quarters.quarter_start_date as timestamp) as quarter_start_at_utc,
        cast({{ shift_period('quarter', 'customer_quarters.quarter_start_date', 1) }} as timestamp) as next_quarter_at_utc,
        cast({{ shift_period('year', 'customer_quarters.quarter_start_date', 1) }} as timestamp) as next_year_at_utc,
        cast(customer_quarters.churned_at at time zone 'UTC' as timestamp) as churned_at_utc,
        cast(observation_window.observed_until_date as timestamp) as observed_until_at_utc

    from customer_quarters
    cross join observation_window

),

outcomes as (

    select
        *,
        next_quarter_at_utc <= observed_until_at_utc as has_full_quarter,
        next_year_at_utc <= observed_until_at_utc as has_full_12_months,
        case
            when next_year_at_utc < observed_until_at_utc then next_year_at_utc
            else observed_until_at_utc
        end as follow_up_until_at_utc

    from bounded

),

flagged as (

    select
        *,
        coalesce(churned_at_utc < follow_up_until_at_utc, false) as is_churn_observed,
        case when has_full_12_months then observed_revenue_next_12_months end as revenue_next_12_months

    from outcomes

),

final as (

    select
        customer_id,
        quarter_start_date,
        customer_type,
        product,
        region,
        size_employees,
        tenure_years,
        nps_category,
        rating_survey_type,
        rated_at,
        rating_age_days,
        case when has_full_quarter then observed_revenue_next_quarter end as revenue_next_quarter,
        revenue_next_12_months,
        revenue_previous_12_months,
        revenue_next_12_months - revenue_previous_12_months as revenue_change_12_months,
        case
            when revenue_next_12_months is null or revenue_previous_12_months is null then null
            when is_younger_than_a_year then null
            when is_churned_next_12_months then 'churned'
            when revenue_next_12_months > revenue_previous_12_months then 'expansion'
            when revenue_next_12_months < revenue_previous_12_months then 'contraction'
            else 'flat'
        end as revenue_movement,
        is_churned_next_quarter,
        is_churned_next_12_months,
        churned_at,
        cast(
            {{ dbt.datediff(
                'quarter_start_at_utc',
                'case when is_churn_observed then churned_at_utc else follow_up_until_at_utc end',
                'second'
            ) }} as double precision
        ) / 86400.0 as follow_up_days,
        is_churn_observed,
        has_full_quarter,
        has_full_12_months

    from flagged

)

select * from final
