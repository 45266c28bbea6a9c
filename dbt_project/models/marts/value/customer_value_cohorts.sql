-- One row per customer and calendar quarter (UTC) the customer started as a customer: the NPS
-- category as of the quarter start, what happened next (revenue, churn) and the controls the value
-- models adjust for. The data's own time span decides which quarters there are and which outcomes
-- are fully observed: outcome windows the data does not cover are null / flagged.
with recursive

crm_customers as (

    select * from {{ ref('int_crm_customers') }}

),

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

-- Every timestamp as a UTC timestamp without time zone, so quarter bounds compare the same on
-- every engine and session.
customers_utc as (

    select
        customer_id,
        customer_type,
        size_employees,
        product,
        region,
        churned_at,
        cast(created_at at time zone 'UTC' as timestamp) as created_at_utc,
        cast(churned_at at time zone 'UTC' as timestamp) as churned_at_utc

    from crm_customers

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

),

deals_unioned as (

    select source_name, crm_system, crm_account_id, product, amount, is_won, closed_at from hubspot_deals
    union all
    select source_name, crm_system, crm_account_id, product, amount, is_won, closed_at from salesforce_opportunities

),

-- Closed-won deals with their customer. A deal both CRMs hold counts once: same customer, product,
-- amount and close day (Salesforce keeps the close date only); the earliest close time is kept.
won_deals_by_customer as (

    select
        crm_accounts.customer_id,
        deals_unioned.product,
        deals_unioned.amount,
        cast(deals_unioned.closed_at at time zone 'UTC' as timestamp) as closed_at_utc

    from deals_unioned
    inner join crm_accounts
        on deals_unioned.source_name = crm_accounts.source_name
        and deals_unioned.crm_system = crm_accounts.crm_system
        and deals_unioned.crm_account_id = crm_accounts.crm_account_id
    where deals_unioned.is_won
        and deals_unioned.closed_at is not null
        and crm_accounts.customer_id is not null

),

won_deals as (

    select
        customer_id,
        product,
        amount,
        min(closed_at_utc) as closed_at_utc

    from won_deals_by_customer
    group by customer_id, product, amount, cast(closed_at_utc as date)

),

events as (

    select responded_at_utc as happened_at_utc from ratings_utc
    union all
    select closed_at_utc as happened_at_utc from won_deals

),

-- The data covers whole days from the first to the last day with a rating or a deal.
observation_window as (

    select
        cast(min(happened_at_utc) as date) as observed_since_date,
        cast({{ dbt.dateadd('day', 1, 'cast(max(happened_at_utc) as date)') }} as date) as observed_until_date,
        {{ period_start('quarter', 'cast(min(happened_at_utc) as date)') }} as first_quarter_date

    from events

),

first_quarter as (

    select
        case
            when first_quarter_date < observed_since_date
                then {{ shift_period('quarter', 'first_quarter_date', 1) }}
            else first_quarter_date
        end as quarter_start_date

    from observation_window

),

-- Every quarter that starts inside the observed span.
quarters as (

    select quarter_start_date from first_quarter
    where quarter_start_date < (select observed_until_date from observation_window)

    union all

    select {{ shift_period('quarter', 'quarters.quarter_start_date', 1) }} as quarter_start_date
    from quarters
    where {{ shift_period('quarter', 'quarters.quarter_start_date', 1) }}
        < (select observed_until_date from observation_window)

),

quarter_bounds as (

    select
        quarters.quarter_start_date,
        cast(quarters.quarter_start_date as timestamp) as quarter_start_at_utc,
        cast({{ shift_period('quarter', 'quarters.quarter_start_date', 1) }} as timestamp) as next_quarter_at_utc,
        cast({{ shift_period('year', 'quarters.quarter_start_date', 1) }} as timestamp) as next_year_at_utc,
        cast({{ shift_period('year', 'quarters.quarter_start_date', -1) }} as timestamp) as previous_year_at_utc,
        cast(observation_window.observed_since_date as timestamp) as observed_since_at_utc,
        cast(observation_window.observed_until_date as timestamp) as observed_until_at_utc

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

outcomes as (

    select
        cohorts.*,
        latest_ratings.survey_type as rating_survey_type,
        latest_ratings.nps_category as rated_nps_category,
        latest_ratings.responded_at as rated_at,
        latest_ratings.responded_at_utc as rated_at_utc,
        coalesce(deal_windows.revenue_next_quarter, 0) as observed_revenue_next_quarter,
        coalesce(deal_windows.revenue_next_12_months, 0) as observed_revenue_next_12_months,
        coalesce(deal_windows.revenue_previous_12_months, 0) as observed_revenue_previous_12_months,
        cohorts.next_quarter_at_utc <= cohorts.observed_until_at_utc as has_full_quarter,
        cohorts.next_year_at_utc <= cohorts.observed_until_at_utc as has_full_12_months,
        cohorts.previous_year_at_utc >= cohorts.observed_since_at_utc as has_previous_12_months,
        case
            when cohorts.next_year_at_utc < cohorts.observed_until_at_utc then cohorts.next_year_at_utc
            else cohorts.observed_until_at_utc
        end as follow_up_until_at_utc

    from cohorts
    left join latest_ratings
        on cohorts.customer_id = latest_ratings.customer_id
        and cohorts.quarter_start_date = latest_ratings.quarter_start_date
    left join deal_windows
        on cohorts.customer_id = deal_windows.customer_id
        and cohorts.quarter_start_date = deal_windows.quarter_start_date

),

flagged as (

    select
        *,
        coalesce(churned_at_utc < next_quarter_at_utc, false) as is_churned_next_quarter,
        coalesce(churned_at_utc < next_year_at_utc, false) as is_churned_next_12_months,
        coalesce(churned_at_utc < follow_up_until_at_utc, false) as is_churn_observed,
        case when has_previous_12_months then observed_revenue_previous_12_months end
            as revenue_previous_12_months,
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
        cast({{ dbt.datediff('created_at_utc', 'quarter_start_at_utc', 'second') }} as double precision)
            / (365.25 * 86400) as tenure_years,
        coalesce(rated_nps_category, 'not_rated') as nps_category,
        rating_survey_type,
        rated_at,
        cast(
            floor({{ dbt.datediff('rated_at_utc', 'quarter_start_at_utc', 'second') }} / 86400.0)
            as {{ dbt.type_int() }}
        ) as rating_age_days,
        case when has_full_quarter then observed_revenue_next_quarter end as revenue_next_quarter,
        revenue_next_12_months,
        revenue_previous_12_months,
        revenue_next_12_months - revenue_previous_12_months as revenue_change_12_months,
        case
            when revenue_next_12_months is null or revenue_previous_12_months is null then null
            when created_at_utc > previous_year_at_utc then null
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
