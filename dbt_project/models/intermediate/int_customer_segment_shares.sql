-- The active customer base by segment (customer type): the weights of the weighted relational NPS.
with

customers as (

    select * from {{ ref('int_crm_customers') }}

),

segments as (

    select
        customer_type as customer_segment,
        count(*) as active_customers

    from customers
    where is_active and customer_type is not null
    group by customer_type

),

final as (

    select
        customer_segment,
        cast(active_customers as {{ dbt.type_int() }}) as active_customers,
        cast(active_customers as double precision)
            / sum(active_customers) over () as segment_share

    from segments

)

select * from final
