-- One row per CRM customer with what they told us: latest score and category, latest transactional
-- and relational score, number of ratings, first and last rating time.
with

crm_customers as (

    select * from {{ ref('int_crm_customers') }}

),

customer_ratings as (

    select * from {{ ref('customer_ratings') }}
    where customer_id is not null

),

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

    from customer_ratings

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
        ) as latest_relational_score

    from ranked_ratings
    group by customer_id

),

final as (

    select
        crm_customers.customer_id,
        crm_customers.crm_system,
        crm_customers.crm_account_id,
        crm_customers.account_name,
        crm_customers.customer_type,
        crm_customers.size_employees,
        crm_customers.product,
        crm_customers.region,
        crm_customers.created_at,
        crm_customers.churned_at,
        crm_customers.is_active,
        cast(coalesce(rating_summaries.ratings, 0) as {{ dbt.type_int() }}) as ratings,
        rating_summaries.first_rated_at,
        rating_summaries.last_rated_at,
        rating_summaries.latest_score,
        rating_summaries.latest_nps_category,
        rating_summaries.latest_transactional_score,
        rating_summaries.latest_relational_score

    from crm_customers
    left join rating_summaries
        on crm_customers.customer_id = rating_summaries.customer_id

)

select * from final
