-- One row per CRM customer who rated: what BI needs to cut NPS by customer (type, region, product,
-- activity), without who the customer is. customer_id is published as customer_key, its keyed hash
-- (config meta pseudonymise_as); name, CRM ids, size and exact times stay in the customer database.
-- A table read from customers alone (one row per customer): the first and last rating day are the
-- local dates of the first and last rating time, as every rating's responded_date is, so the
-- ratings themselves are not read again.
with

customers as (

    select * from {{ ref('customers') }}
    where ratings > 0

),

final as (

    select
        customer_id,
        customer_type,
        product,
        region,
        is_active,
        ratings,
        {{ local_date('first_rated_at') }} as first_rated_date,
        {{ local_date('last_rated_at') }} as last_rated_date,
        latest_score,
        latest_nps_category,
        latest_transactional_score,
        latest_relational_score

    from customers

)

select * from final
