-- Follow-up KPIs per process, period and survey type: how many responses needed a follow-up, how
-- many were followed up, the share of those past their due time that were followed up within the
-- SLA, and the median hours to follow up.
with

detractor_follow_up as (

    select * from {{ ref('detractor_follow_up') }}
    where process is not null

),

periods as (

    {%- for grain in period_grains() %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'responded_date') }} as period_start,
        detractor_follow_up.*
    from detractor_follow_up
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        period_grain,
        period_start,
        survey_type,
        process,
        cast(count(*) as {{ dbt.type_int() }}) as follow_ups_needed,
        cast(sum(case when follow_up_status = 'done' then 1 else 0 end) as {{ dbt.type_int() }}) as followed_up,
        cast(sum(case when follow_up_status = 'open' then 1 else 0 end) as {{ dbt.type_int() }}) as open_follow_ups,
        cast(sum(case when follow_up_status = 'overdue' then 1 else 0 end) as {{ dbt.type_int() }}) as overdue_follow_ups,
        cast(sum(case when due_at <= status_as_of then 1 else 0 end) as {{ dbt.type_int() }}) as past_due_time,
        cast(
            sum(case when due_at <= status_as_of and is_followed_up_within_sla then 1 else 0 end)
            as {{ dbt.type_int() }}
        ) as followed_up_within_sla,
        cast(sum(case when due_at <= status_as_of and is_followed_up_within_sla then 1 else 0 end) as double precision)
            / nullif(sum(case when due_at <= status_as_of then 1 else 0 end), 0) as share_followed_up_within_sla,
        percentile_cont(0.5) within group (order by hours_to_follow_up) as median_hours_to_follow_up

    from periods
    group by period_grain, period_start, survey_type, process

)

select * from final
