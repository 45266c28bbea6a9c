-- NPS per period grain, period, survey type and group - overall, per product, per process and per
-- employee in one long table (grouping, group_key) - with every statistic the NPS marts publish.
-- Computed from the daily counts, so it costs days x groups, not responses.
with

daily_counts as (

    select * from {{ ref('int_nps_daily_counts') }}

),

segment_shares as (

    select * from {{ ref('int_customer_segment_shares') }}

),

-- Each grouping's counts per day and segment, only the columns the periods need: the five period
-- grains below each read this, so it is kept as small as the daily counts allow.
grouped_daily_counts as (

    {%- for grouping, key_column in [
        ('overall', "'overall'"), ('product', 'product'), ('process', 'process'), ('employee', 'employee_id'),
    ] %}
    select
        '{{ grouping }}' as grouping,
        {{ key_column }} as group_key,
        responded_date,
        survey_type,
        customer_segment,
        cast(sum(responses) as {{ dbt.type_int() }}) as responses,
        cast(sum(promoters) as {{ dbt.type_int() }}) as promoters,
        cast(sum(passives) as {{ dbt.type_int() }}) as passives,
        cast(sum(detractors) as {{ dbt.type_int() }}) as detractors

    from daily_counts
    {%- if grouping != 'overall' %}
    where {{ key_column }} is not null
    group by {{ key_column }}, responded_date, survey_type, customer_segment
    {%- else %}
    group by responded_date, survey_type, customer_segment
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

segment_periods as (

    {{ aggregate_to_periods('grouped_daily_counts', ['survey_type', 'grouping', 'group_key', 'customer_segment']) }}

),

periods as (

    select
        period_grain,
        period_start,
        survey_type,
        grouping,
        group_key,
        cast(sum(responses) as {{ dbt.type_int() }}) as responses,
        cast(sum(promoters) as {{ dbt.type_int() }}) as promoters,
        cast(sum(passives) as {{ dbt.type_int() }}) as passives,
        cast(sum(detractors) as {{ dbt.type_int() }}) as detractors

    from segment_periods
    group by period_grain, period_start, survey_type, grouping, group_key

),

period_statistics as (

    select
        *,
        {{ shift_period_by_grain_column('period_grain', 'period_start', -1) }} as previous_period_start,
        {{ shift_period_by_grain_column('period_grain', 'period_start', 1) }} as next_period_start,
        {{ nps_statistics() }}

    from periods

),

-- Relational NPS post-stratified to the CRM's active customer base: the NPS of each customer
-- segment, weighted by the segment's share of active customers (over the segments that answered).
weighted as (

    select
        segment_periods.period_grain,
        segment_periods.period_start,
        segment_periods.survey_type,
        segment_periods.grouping,
        segment_periods.group_key,
        sum(
            segment_shares.segment_share
            * {{ nps('segment_periods.promoters', 'segment_periods.detractors', 'segment_periods.responses') }}
        ) / sum(segment_shares.segment_share) as nps_weighted

    from segment_periods
    inner join segment_shares
        on segment_periods.customer_segment = segment_shares.customer_segment
    where segment_periods.survey_type = 'relational'
    group by
        segment_periods.period_grain,
        segment_periods.period_start,
        segment_periods.survey_type,
        segment_periods.grouping,
        segment_periods.group_key

),

-- Measurement runs from the first to the last day with a response of the survey type; a period is
-- full when it lies entirely inside that window.
measurement_windows as (

    select
        survey_type,
        min(responded_date) as first_responded_date,
        max(responded_date) as last_responded_date

    from daily_counts
    group by survey_type

),

full_periods as (

    select
        period_statistics.*,
        row_number() over (
            partition by
                period_statistics.grouping,
                period_statistics.group_key,
                period_statistics.survey_type,
                period_statistics.period_grain
            order by period_statistics.period_start
        ) as full_period_number

    from period_statistics
    inner join measurement_windows
        on period_statistics.survey_type = measurement_windows.survey_type
    where period_statistics.period_start >= measurement_windows.first_responded_date
        and period_statistics.next_period_start
            <= cast({{ dbt.dateadd('day', 1, 'measurement_windows.last_responded_date') }} as date)

),

baselines as (

    select
        grouping,
        group_key,
        survey_type,
        period_grain,
        nps as baseline_nps

    from full_periods
    where full_period_number = 1

),

final as (

    select
        current_period.grouping,
        current_period.group_key,
        current_period.period_grain,
        current_period.period_start,
        current_period.survey_type,
        current_period.responses,
        current_period.promoters,
        current_period.passives,
        current_period.detractors,
        current_period.nps,
        current_period.nps_margin_of_error,
        current_period.nps_ci_lower,
        current_period.nps_ci_upper,
        current_period.is_reportable,
        previous_period.nps as nps_previous,
        current_period.nps - previous_period.nps as nps_change,
        coalesce(
            {{ nps_change_is_significant(
                'current_period.promoters', 'current_period.detractors', 'current_period.responses',
                'previous_period.promoters', 'previous_period.detractors', 'previous_period.responses',
            ) }},
            false
        ) as change_is_significant,
        baselines.baseline_nps,
        weighted.nps_weighted

    from period_statistics as current_period
    left join period_statistics as previous_period
        on current_period.grouping = previous_period.grouping
        and current_period.group_key = previous_period.group_key
        and current_period.survey_type = previous_period.survey_type
        and current_period.period_grain = previous_period.period_grain
        and current_period.previous_period_start = previous_period.period_start
    left join baselines
        on current_period.grouping = baselines.grouping
        and current_period.group_key = baselines.group_key
        and current_period.survey_type = baselines.survey_type
        and current_period.period_grain = baselines.period_grain
    left join weighted
        on current_period.grouping = weighted.grouping
        and current_period.group_key = weighted.group_key
        and current_period.survey_type = weighted.survey_type
        and current_period.period_grain = weighted.period_grain
        and current_period.period_start = weighted.period_start

)

select * from final
