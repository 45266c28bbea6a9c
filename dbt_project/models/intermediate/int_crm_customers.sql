-- One row per customer (our customer number) across CRMs: the most recently updated account wins.
with

accounts as (

    select * from {{ ref('int_crm_accounts') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by updated_at desc, crm_system, source_name, crm_account_id
        ) as recency_rank

    from accounts
    where customer_id is not null

),

final as (

    select
        customer_id,
        crm_system,
        source_name,
        crm_account_id,
        account_name,
        customer_type,
        size_employees,
        product,
        region,
        created_at,
        churned_at,
        churned_at is null as is_active,
        updated_at

    from ranked
    where recency_rank = 1

)

select * from final
