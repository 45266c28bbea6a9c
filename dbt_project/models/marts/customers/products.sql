-- Every product code the responses or the CRM mention, with how many responses and customers it has.
with

daily_counts as (

    select * from {{ ref('int_nps_daily_counts') }}

),

crm_customers as (

    select * from {{ ref('int_crm_customers') }}

),

response_products as (

    select
        product,
        sum(responses) as responses,
        min(responded_date) as first_responded_date,
        max(responded_date) as last_responded_date

    from daily_counts
    where product is not null
    group by product

),

customer_products as (

    select
        product,
        count(*) as customers,
        sum(case when is_active then 1 else 0 end) as active_customers

    from crm_customers
    where product is not null
    group by product

),

product_codes as (

    select product from response_products
    union
    select product from customer_products

),

final as (

    select
        product_codes.product,
        cast(coalesce(response_products.responses, 0) as {{ dbt.type_int() }}) as responses,
        cast(coalesce(customer_products.customers, 0) as {{ dbt.type_int() }}) as customers,
        cast(coalesce(customer_products.active_customers, 0) as {{ dbt.type_int() }}) as active_customers,
        response_products.first_responded_date,
        response_products.last_responded_date

    from product_codes
    left join response_products
        on product_codes.product = response_products.product
    left join customer_products
        on product_codes.product = customer_products.product

)

select * from final
