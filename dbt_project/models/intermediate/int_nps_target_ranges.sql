-- NPS targets (seed nps_targets) as date ranges: a target is in force from the day after the
-- previous target date of the same scope up to its own target date; the last one stays in force.
-- Scope: a row with a product is a product target, with a process a process target, with neither
-- the company-wide target.
with

targets as (

    select * from {{ ref('nps_targets') }}

),

scoped as (

    select
        case
            when product is not null then 'product'
            when process is not null then 'process'
            else 'overall'
        end as target_scope,
        coalesce(product, process, 'overall') as target_key,
        cast(target_nps as double precision) as target_nps,
        cast(target_date as date) as target_date

    from targets

),

neighbours as (

    select
        *,
        lag(target_date) over (partition by target_scope, target_key order by target_date) as previous_target_date,
        lead(target_date) over (partition by target_scope, target_key order by target_date) as next_target_date

    from scoped

),

final as (

    select
        target_scope,
        target_key,
        target_nps,
        target_date,
        coalesce(
            cast({{ dbt.dateadd('day', 1, 'previous_target_date') }} as date),
            cast('1900-01-01' as date)
        ) as valid_from,
        case
            when next_target_date is null then cast('9999-12-31' as date)
            else target_date
        end as valid_until

    from neighbours

)

select * from final
