-- Active CRM customers per segment (customer type) over time: one row per segment and local day on
-- which its count changed, valid until the next change. nps_weighted weights a period by the shares
-- on its first day, so a period's weighted NPS does not move when customers come and go later.
with

customers as (

    select * from {{ ref('int_crm_customers') }}
    where customer_type is not null

),

-- A customer counts from the day they were created up to the day before they churned.
count_changes as (

    select
        customer_type as customer_segment,
        coalesce({{ local_date('created_at') }}, cast('1900-01-01' as date)) as changed_on,
        1 as customers_change

    from customers

    union all

    select
        customer_type as customer_segment,
        {{ local_date('churned_at') }} as changed_on,
        -1 as customers_change

    from customers
    where churned_at is not null

),

daily_changes as (

    select
        customer_segment,
        changed_on,
        sum(customers_change) as customers_change

    from count_changes
    group by customer_segment, changed_on

),

final as (

    select
        customer_segment,
        changed_on as valid_from,
        coalesce(
            lead(changed_on) over (partition by customer_segment order by changed_on),
            cast('9999-12-31' as date)
        ) as valid_until,
        cast(
            sum(customers_change) over (
                partition by customer_segment
                order by changed_on
                rows between unbounded preceding and current row
            ) as {{ dbt.type_int() }}
        ) as active_customers

    from daily_changes

)

select * from final
