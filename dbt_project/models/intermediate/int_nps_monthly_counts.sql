{{
    config(
        materialized='incremental',
        unique_key='responded_month',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_backfill_window_months() }}",
    )
}}

-- The daily counts summed per local month: quarters and years add up at most twelve of these rows per
-- group, never the days. Incremental: a run recounts the months of the days recounted since its last
-- run (and every month a backfill's window touches), each from its days.
with

daily_counts as (

    select * from {{ ref('int_nps_daily_counts') }}

),

recounted_days as (

    select * from daily_counts
    {% if is_incremental() %}
    where {{ period_start('month', 'responded_date') }} in (
        select {{ period_start('month', 'responded_date') }}
        from daily_counts
        where last_conformed_at > (
            select coalesce(max(last_conformed_at), cast('1900-01-01' as timestamp with time zone))
            from {{ this }}
        )
    )
        {% if backfill_window_given() %}
        or (
            responded_date >= {{ period_start('month', "'" ~ var('window_start') ~ "'") }}
            and responded_date < cast('{{ var("window_end") }}' as date)
        )
        {% endif %}
    {% endif %}

),

final as (

    select
        {{ period_start('month', 'responded_date') }} as responded_month,
        survey_type,
        product,
        process,
        employee_id,
        customer_segment,
        cast(sum(responses) as {{ dbt.type_int() }}) as responses,
        cast(sum(promoters) as {{ dbt.type_int() }}) as promoters,
        cast(sum(passives) as {{ dbt.type_int() }}) as passives,
        cast(sum(detractors) as {{ dbt.type_int() }}) as detractors,
        max(last_conformed_at) as last_conformed_at

    from recounted_days
    group by
        {{ period_start('month', 'responded_date') }},
        survey_type,
        product,
        process,
        employee_id,
        customer_segment

)

select * from final
