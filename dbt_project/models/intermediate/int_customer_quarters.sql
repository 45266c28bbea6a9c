{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_vanished_keys('customer_id', ref('int_crm_customers')) }}",
        post_hook="{{ delete_customer_quarters_no_longer_in_cohort() }}",
    )
}}

-- One row per customer and calendar quarter (UTC) the customer started as a customer, with what
-- does not depend on where the data ends: the NPS category as of the quarter start, revenue won
-- around it, churn, and the controls. customer_value_cohorts adds what does (complete outcome
-- windows, follow-up time).
--
-- Incremental (delete+insert of a customer's rows): a run recomputes every quarter of the customers
-- whose inputs may have changed - a rating conformed since the last run or one it took from them
-- (a backfill compares every customer's count of ratings instead), or a CRM account or deal of
-- theirs landed since it, or one taken from them (int_crm_record_owners: a new customer's account,
-- changed attributes, a deal moved or no longer won) - and every customer when the quarters
-- themselves changed (a quarter began, the data starts earlier). The post_hook deletes what no
-- recomputed row replaced: the rows of a customer now in no quarter (created or churned at another
-- time) and of quarters no longer in the window.
with recursive

crm_customers as {{ not_materialized() }} (

    select * from {{ ref('int_crm_customers') }}

),

customer_ratings as {{ not_materialized() }} (

    select * from {{ ref('customer_ratings') }}
    where customer_id is not null

),

customer_won_deals as (

    select * from {{ ref('int_customer_won_deals') }}

),

crm_record_owners as {{ not_materialized() }} (

    select * from {{ ref('int_crm_record_owners') }}
    where record_type in ('account', 'deal')

),

observation_window as (

    select * from {{ ref('int_value_observation_window') }}

),

{% if is_incremental() %}
-- Every customer when the quarters are not the ones the stored rows were built for.
quarters_changed as (

    select coalesce(
        min(stored.first_quarter_date) is distinct from max(observation_window.first_quarter_date)
        or max(stored.first_quarter_date) is distinct from max(observation_window.first_quarter_date)
        or min(stored.last_quarter_date) is distinct from max(observation_window.last_quarter_date)
        or max(stored.last_quarter_date) is distinct from max(observation_window.last_quarter_date),
        true
    ) as is_changed

    from observation_window
    cross join (select first_quarter_date, last_quarter_date from {{ this }}) as stored

),

rerated_customers as (

    {{ rerated_customers('last_conformed_at') }}

),

-- The CRM accounts and deals landed since the last run: their customers, and those they were taken from.
crm_changed as (

    {{ customers_of_landed_records('crm_record_owners', 'crm_loaded_at') }}

),

{% if backfill_window_given() %}
-- A backfill deletes its days' ratings before conforming them again: a rating it gave another
-- customer shows only in the count of the customer who lost it.
recounted as (

    select stored_customers.customer_id
    from (select distinct customer_id, ratings from {{ this }}) as stored_customers
    left join (
        select customer_id, cast(count(*) as {{ dbt.type_int() }}) as ratings
        from customer_ratings
        group by customer_id
    ) as rating_counts
        on stored_customers.customer_id = rating_counts.customer_id
    where coalesce(rating_counts.ratings, 0) <> stored_customers.ratings

),
{% endif %}

changed_customers as (

    select customer_id from rerated_customers
    union
    select customer_id from crm_changed
    {% if backfill_window_given() -%}
    union
    select customer_id from recounted
    {%- endif %}

),

customers_to_build as (

    select * from crm_customers
    where (select is_changed from quarters_changed)
        or customer_id in (select customer_id from changed_customers)

),
{% else %}
customers_to_build as (

    select * from crm_customers

),
{% endif %}

customer_rating_counts as (

    select
        customer_id,
        cast(count(*) as {{ dbt.type_int() }}) as ratings,
        max(conformed_at) as last_conformed_at

    from customer_ratings
    where customer_id in (select customer_id from customers_to_build)
    group by customer_id

),

-- The latest landing among the customer's CRM accounts and deals: the watermark of crm_changed.
customer_crm_loads as (

    select
        customer_id,
        max(loaded_at) as crm_loaded_at

    from crm_record_owners
    where customer_id in (select customer_id from customers_to_build)
    group by customer_id

),

-- Every timestamp as a UTC timestamp without time zone, so quarter bounds compare the same on
-- every engine and session. The counts are joined per customer, before the customers are repeated
-- per quarter: joined per customer and quarter, with the two range joins below, the query needed
-- over 1 GB at 1M responses.
customers_utc as (

    select
        customers_to_build.customer_id,
        customers_to_build.customer_type,
        customers_to_build.size_employees,
        customers_to_build.product,
        customers_to_build.region,
        customers_to_build.created_at,
        customers_to_build.churned_at,
        cast(customers_to_build.created_at at time zone 'UTC' as timestamp) as created_at_utc,
        cast(customers_to_build.churned_at at time zone 'UTC' as timestamp) as churned_at_utc,
        coalesce(customer_rating_counts.ratings, 0) as ratings,
        customer_rating_counts.last_conformed_at,
        customer_crm_loads.crm_loaded_at

    from customers_to_build
    left join customer_rating_counts
        on customers_to_build.customer_id = customer_rating_counts.customer_id
    left join customer_crm_loads
        on customers_to_build.customer_id = customer_crm_loads.customer_id

),

ratings_utc as (

    select
        customer_id,
        response_id,
        survey_type,
        nps_category,
        responded_at,
        cast(responded_at at time zone 'UTC' as timestamp) as responded_at_utc

    from customer_ratings
    where customer_id in (select customer_id from customers_to_build)

),

-- Closed-won deals of the customers to build; a deal both CRMs hold counts once (is_counted).
won_deals as (

    select
        customer_id,
        product,
        amount,
        closed_at_utc

    from customer_won_deals
    where is_counted
        and customer_id in (select customer_id from customers_to_build)

),

-- Every quarter that starts inside the observed span (int_value_observation_window).
quarters as (

    select first_quarter_date as quarter_start_date from observation_window
    where first_quarter_date <= last_quarter_date

    union all

    select {{ shift_period('quarter', 'quarters.quarter_start_date', 1) }} as quarter_start_date
    from quarters
    where {{ shift_period('quarter', 'quarters.quarter_start_date', 1) }}
        <= (select last_quarter_date from observation_window)

),

quarter_bounds as (

    select
        quarters.quarter_start_date,
        cast(quarters.quarter_start_date as timestamp) as quarter_start_at_utc,
        cast({{ shift_period('quarter', 'quarters.quarter_start_date', 1) }} as timestamp) as next_quarter_at_utc,
        cast({{ shift_period('year', 'quarters.quarter_start_date', 1) }} as timestamp) as next_year_at_utc,
        cast({{ shift_period('year', 'quarters.quarter_start_date', -1) }} as timestamp) as previous_year_at_utc,
        observation_window.first_quarter_date,
        observation_window.last_quarter_date

    from quarters
    cross join observation_window

),

-- Customers created before the quarter start and not churned by then.
cohorts as (

    select
        customers_utc.*,
        quarter_bounds.*

    from quarter_bounds
    inner join customers_utc
        on customers_utc.created_at_utc < quarter_bounds.quarter_start_at_utc
        and (
            customers_utc.churned_at_utc is null
            or customers_utc.churned_at_utc > quarter_bounds.quarter_start_at_utc
        )

),

-- The latest rating answered before the quarter start; relational wins a tie with transactional.
-- Each customer's ratings in time order, one per moment (the tie's winner), each standing until the
-- next one: a quarter takes the rating whose span holds its start. Ranking the ratings once per
-- customer, not once per customer and quarter, keeps this linear in the ratings.
ratings_per_moment as (

    select
        *,
        row_number() over (
            partition by customer_id, responded_at_utc
            order by case when survey_type = 'relational' then 0 else 1 end, response_id
        ) as tie_rank

    from ratings_utc

),

rating_spans as (

    select
        *,
        lead(responded_at_utc) over (partition by customer_id order by responded_at_utc) as superseded_at_utc

    from ratings_per_moment
    where tie_rank = 1

),

latest_ratings as (

    select
        cohorts.customer_id,
        cohorts.quarter_start_date,
        rating_spans.survey_type,
        rating_spans.nps_category,
        rating_spans.responded_at,
        rating_spans.responded_at_utc

    from cohorts
    inner join rating_spans
        on cohorts.customer_id = rating_spans.customer_id
        and rating_spans.responded_at_utc < cohorts.quarter_start_at_utc
        and (
            rating_spans.superseded_at_utc is null
            or rating_spans.superseded_at_utc >= cohorts.quarter_start_at_utc
        )

),

-- Won revenue per customer and calendar quarter (UTC): every window below is whole quarters.
quarterly_revenue as (

    select
        customer_id,
        {{ period_start('quarter', 'closed_at_utc') }} as closed_quarter_date,
        sum(amount) as revenue

    from won_deals
    group by customer_id, {{ period_start('quarter', 'closed_at_utc') }}

),

deal_windows as (

    select
        cohorts.customer_id,
        cohorts.quarter_start_date,
        sum(
            case when quarterly_revenue.closed_quarter_date = cohorts.quarter_start_date
                then quarterly_revenue.revenue end
        ) as revenue_next_quarter,
        sum(
            case when quarterly_revenue.closed_quarter_date >= cohorts.quarter_start_date
                then quarterly_revenue.revenue end
        ) as revenue_next_12_months,
        sum(
            case when quarterly_revenue.closed_quarter_date < cohorts.quarter_start_date
                then quarterly_revenue.revenue end
        ) as revenue_previous_12_months

    from cohorts
    inner join quarterly_revenue
        on cohorts.customer_id = quarterly_revenue.customer_id
        and quarterly_revenue.closed_quarter_date >= cast(cohorts.previous_year_at_utc as date)
        and quarterly_revenue.closed_quarter_date < cast(cohorts.next_year_at_utc as date)
    group by cohorts.customer_id, cohorts.quarter_start_date

),

final as (

    select
        cohorts.customer_id,
        cohorts.quarter_start_date,
        cohorts.customer_type,
        cohorts.product,
        cohorts.region,
        cohorts.size_employees,
        cohorts.created_at,
        cohorts.churned_at,
        cast({{ dbt.datediff('cohorts.created_at_utc', 'cohorts.quarter_start_at_utc', 'second') }} as double precision)
            / (365.25 * 86400) as tenure_years,
        coalesce(latest_ratings.nps_category, 'not_rated') as nps_category,
        latest_ratings.survey_type as rating_survey_type,
        latest_ratings.responded_at as rated_at,
        cast(
            floor({{ dbt.datediff('latest_ratings.responded_at_utc', 'cohorts.quarter_start_at_utc', 'second') }} / 86400.0)
            as {{ dbt.type_int() }}
        ) as rating_age_days,
        coalesce(deal_windows.revenue_next_quarter, 0) as observed_revenue_next_quarter,
        coalesce(deal_windows.revenue_next_12_months, 0) as observed_revenue_next_12_months,
        -- the data starts at the first quarter's start at the latest: a quarter start a year before
        -- it is observed when it is not before the first quarter
        case
            when cohorts.previous_year_at_utc >= cast(cohorts.first_quarter_date as timestamp)
                then coalesce(deal_windows.revenue_previous_12_months, 0)
        end as revenue_previous_12_months,
        coalesce(cohorts.churned_at_utc < cohorts.next_quarter_at_utc, false) as is_churned_next_quarter,
        coalesce(cohorts.churned_at_utc < cohorts.next_year_at_utc, false) as is_churned_next_12_months,
        cohorts.created_at_utc > cohorts.previous_year_at_utc as is_younger_than_a_year,
        cohorts.first_quarter_date,
        cohorts.last_quarter_date,
        cohorts.ratings,
        cohorts.last_conformed_at,
        cohorts.crm_loaded_at

    from cohorts
    left join latest_ratings
        on cohorts.customer_id = latest_ratings.customer_id
        and cohorts.quarter_start_date = latest_ratings.quarter_start_date
    left join deal_windows
        on cohorts.customer_id = deal_windows.customer_id
        and cohorts.quarter_start_date = deal_windows.quarter_start_date

)

select * from final
