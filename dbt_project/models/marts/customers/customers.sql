{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_vanished_keys('customer_id', ref('int_crm_customers')) }}",
    )
}}

-- One row per CRM customer with what they told us: latest score and category, latest transactional
-- and relational score, number of ratings, first and last rating time. Incremental: a run recomputes
-- only the customers whose row can have changed - a rating conformed since the last run, or taken
-- from them by one (its previous_customer_id; a backfill compares every customer's count instead),
-- or a CRM account landed since the last run, or taken from them by one (int_crm_record_owners: new
-- customers, changed attributes); customers gone from the CRM are deleted.
with

crm_customers as {{ not_materialized() }} (

    select * from {{ ref('int_crm_customers') }}

),

crm_record_owners as {{ not_materialized() }} (

    select * from {{ ref('int_crm_record_owners') }}
    where record_type = 'account'

),

customer_ratings as {{ not_materialized() }} (

    select * from {{ ref('customer_ratings') }}
    where customer_id is not null

),

{% if is_incremental() %}
rated_since_last_run as (

    {{ rerated_customers('last_conformed_at') }}

),

{% if backfill_window_given() %}
stored_customers as (

    select * from {{ this }}

),

-- A backfill deletes its days' ratings before conforming them again, so a rating it gave another
-- customer shows only in the count of the customer who lost it: a count per customer is one pass
-- over a single column, far cheaper than ranking every rating again.
rating_counts as (

    select
        customer_id,
        count(*) as ratings

    from customer_ratings
    group by customer_id

),

recounted as (

    select stored_customers.customer_id
    from stored_customers
    left join rating_counts
        on stored_customers.customer_id = rating_counts.customer_id
    where coalesce(rating_counts.ratings, 0) <> stored_customers.ratings

),
{% endif %}

-- The CRM accounts landed since the last run: their customers, and those they were taken from.
crm_changed as (

    {{ customers_of_landed_records('crm_record_owners', 'crm_loaded_at') }}

),

changed_customers as (

    select customer_id from rated_since_last_run
    {% if backfill_window_given() -%}
    union
    select customer_id from recounted
    {%- endif %}
    union
    select customer_id from crm_changed

),

customers_to_build as (

    select * from crm_customers
    where customer_id in (select customer_id from changed_customers)

),

ratings_to_rank as (

    select * from customer_ratings
    where customer_id in (select customer_id from changed_customers)

),
{% else %}
customers_to_build as (

    select * from crm_customers

),

ratings_to_rank as (

    select * from customer_ratings

),
{% endif %}

ranked_ratings as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by responded_at desc, response_id
        ) as recency_rank,
        row_number() over (
            partition by customer_id, survey_type
            order by responded_at desc, response_id
        ) as survey_type_recency_rank

    from ratings_to_rank

),

rating_summaries as (

    select
        customer_id,
        count(*) as ratings,
        min(responded_at) as first_rated_at,
        max(responded_at) as last_rated_at,
        max(case when recency_rank = 1 then score end) as latest_score,
        max(case when recency_rank = 1 then nps_category end) as latest_nps_category,
        max(
            case when survey_type_recency_rank = 1 and survey_type = 'transactional' then score end
        ) as latest_transactional_score,
        max(
            case when survey_type_recency_rank = 1 and survey_type = 'relational' then score end
        ) as latest_relational_score,
        max(conformed_at) as last_conformed_at

    from ranked_ratings
    group by customer_id

),

final as (

    select
        customers_to_build.customer_id,
        customers_to_build.crm_system,
        customers_to_build.crm_account_id,
        customers_to_build.account_name,
        customers_to_build.customer_type,
        customers_to_build.size_employees,
        customers_to_build.product,
        customers_to_build.region,
        customers_to_build.created_at,
        customers_to_build.churned_at,
        customers_to_build.is_active,
        cast(coalesce(rating_summaries.ratings, 0) as {{ dbt.type_int() }}) as ratings,
        rating_summaries.first_rated_at,
        rating_summaries.last_rated_at,
        rating_summaries.latest_score,
        rating_summaries.latest_nps_category,
        rating_summaries.latest_transactional_score,
        rating_summaries.latest_relational_score,
        rating_summaries.last_conformed_at,
        customers_to_build.loaded_at as crm_loaded_at

    from customers_to_build
    left join rating_summaries
        on customers_to_build.customer_id = rating_summaries.customer_id

)

select * from final
