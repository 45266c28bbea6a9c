-- One row per CRM customer who rated: what BI needs to cut NPS by customer (type, region, product,
-- activity), without who the customer is. customer_id is published as customer_key, its keyed hash
-- (config meta pseudonymise_as); name, CRM ids, size and exact times stay in the customer database.
with

customers as (

    select * from {{ ref('customers') }}
    where ratings > 0

),

customer_ratings as (

    select * from {{ ref('customer_ratings') }}
    where customer_id is not null

),

rating_days as (

    select
        customer_id,
        min(responded_date) as first_rated_date,
        max(responded_date) as last_rated_date

    from customer_ratings
    group by customer_id

),

final as (

    select
        customers.customer_id,
        customers.customer_type,
        customers.product,
        customers.region,
        customers.is_active,
        customers.ratings,
        rating_days.first_rated_date,
        rating_days.last_rated_date,
        customers.latest_score,
        customers.latest_nps_category,
        customers.latest_transactional_score,
        customers.latest_relational_score

    from customers
    inner join rating_days
        on customers.customer_id = rating_days.customer_id

)

select * from final
