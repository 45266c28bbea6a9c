{{
    config(
        materialized='incremental',
        unique_key=['period_grain', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_backfill_window_periods() }}",
    )
}}

{#- Days and weeks are summed from the daily counts, months, quarters and years from the monthly ones. -#}
{%- set day_grains = period_grains() | select('in', ['day', 'week']) | list -%}
{%- set month_grains = period_grains() | reject('in', ['day', 'week']) | list -%}

-- NPS per period grain, period, survey type and group - overall, per product, per process and per
-- employee in one long table (grouping, group_key) - with every statistic the NPS marts publish.
-- Incremental by period: a run rebuilds every group of the periods that hold a day recounted since
-- its last build, and of the period after each (its change is measured against a rebuilt one); a
-- period where a group's baseline or relational weight moved gets its stored rows again with the new
-- ones. Whole periods are
-- replaced (delete+insert on period_grain and period_start), so a nightly run costs the periods the
-- new day falls in, not the history.
with

daily_counts as (

    select * from {{ ref('int_nps_daily_counts') }}

),

monthly_counts as (

    select * from {{ ref('int_nps_monthly_counts') }}

),

segment_history as (

    select * from {{ ref('int_customer_segment_history') }}

),

-- Days counted (again) since this model's last build, and a backfill's days; a full build takes all.
recounted_days as (

    select distinct responded_date
    from daily_counts
    {%- if is_incremental() %}
    where last_conformed_at > (
        select coalesce(max(built_at), cast('1900-01-01' as timestamp with time zone))
        from {{ this }}
    )
        {%- if backfill_window_given() %}

    union

    {{ backfill_window_days() }}
        {%- endif %}
    {%- endif %}

),

touched_periods as (

    {%- for grain in period_grains() %}
    select distinct
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'responded_date') }} as period_start

    from recounted_days
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if is_incremental() %}

    union

    -- Stored periods whose reportability no longer follows var('min_responses') (it was changed).
    select distinct period_grain, period_start
    from {{ this }}
    where is_reportable <> (responses >= {{ var('min_responses') }})
    {%- endif %}

),

rebuilt_periods as (

    select period_grain, period_start from touched_periods

    union

    select
        period_grain,
        {{ shift_period_by_grain_column('period_grain', 'period_start', 1) }} as period_start

    from touched_periods

),

-- The rebuilt periods and the period before each, whose counts the change needs.
counted_periods as (

    select period_grain, period_start from rebuilt_periods

    union

    select
        period_grain,
        {{ shift_period_by_grain_column('period_grain', 'period_start', -1) }} as period_start

    from rebuilt_periods

),

-- Customer segments weigh relational NPS only, and every period's weights are worked out below from
-- the relational counts alone: here counts are summed over segments, so the employee rows (most of
-- the model at 10M responses) are not split by segment.
counted_days as (

    select * from daily_counts
    where {{ falls_in_periods('responded_date', day_grains, 'counted_periods') }}

),

counted_months as (

    select * from monthly_counts
    where {{ falls_in_periods('responded_month', month_grains, 'counted_periods') }}

),

-- Inlined, each in the two or three sums that read it: kept as CTEs, DuckDB streamed each to its
-- readers through a buffer it could not spill, and the first build at 10M responses ran out of 2 GB.
grouped_days as {{ not_materialized() }} (

    {{ counts_by_grouping('counted_days', 'responded_date') }}

),

grouped_months as {{ not_materialized() }} (

    {{ counts_by_grouping('counted_months', 'responded_month') }}

),

{#- A day is its own period: grouped_days has a row per day and group already, and summing it again
    by day held every one of them in a hash table (the first build at 10M ran out of memory there). -#}
{%- set summed_day_grains = day_grains | reject('equalto', 'day') | list %}
all_counted_periods as (

    {%- if 'day' in day_grains %}
    select
        'day' as period_grain,
        responded_date as period_start,
        survey_type,
        grouping,
        group_key,
        responses,
        promoters,
        passives,
        detractors

    from grouped_days
    {%- endif %}
    {%- if 'day' in day_grains and (summed_day_grains or month_grains) %}
    union all
    {%- endif %}
    {%- if summed_day_grains %}
    {{ aggregate_to_periods('grouped_days', ['survey_type', 'grouping', 'group_key'], summed_day_grains) }}
    {%- endif %}
    {%- if summed_day_grains and month_grains %}
    union all
    {%- endif %}
    {%- if month_grains %}
    {{ aggregate_to_periods('grouped_months', ['survey_type', 'grouping', 'group_key'], month_grains, 'responded_month') }}
    {%- endif %}

),

-- A counted day can lie in a period that is not counted at a finer grain (a day of a counted week).
periods as (

    select all_counted_periods.*
    from all_counted_periods
    {%- if is_incremental() %}
    inner join counted_periods
        on all_counted_periods.period_grain = counted_periods.period_grain
        and all_counted_periods.period_start = counted_periods.period_start
    {%- endif %}

),

period_statistics as (

    select
        *,
        {{ shift_period_by_grain_column('period_grain', 'period_start', -1) }} as previous_period_start,
        {{ shift_period_by_grain_column('period_grain', 'period_start', 1) }} as next_period_start,
        {{ nps_statistics() }}

    from periods

),

rebuilt as (

    select
        current_period.grouping,
        current_period.group_key,
        current_period.period_grain,
        current_period.period_start,
        current_period.next_period_start,
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
        ) as change_is_significant

    from period_statistics as current_period
    {%- if is_incremental() %}
    inner join rebuilt_periods
        on current_period.period_grain = rebuilt_periods.period_grain
        and current_period.period_start = rebuilt_periods.period_start
    {%- endif %}
    left join period_statistics as previous_period
        on current_period.grouping = previous_period.grouping
        and current_period.group_key = previous_period.group_key
        and current_period.survey_type = previous_period.survey_type
        and current_period.period_grain = previous_period.period_grain
        and current_period.previous_period_start = previous_period.period_start

),

-- Relational counts per segment, of every period: relational answers are few (no employees), and a
-- CRM change can move the segments' shares of any past period (a churn recorded late), so the
-- weights of every period are worked out each run and stored periods whose weight moved are
-- written again (rewritten_periods).
relational_days as (

    select * from daily_counts
    where survey_type = 'relational'

),

relational_months as (

    select * from monthly_counts
    where survey_type = 'relational'

),

grouped_relational_days as {{ not_materialized() }} (

    {{ counts_by_grouping('relational_days', 'responded_date', ['customer_segment']) }}

),

grouped_relational_months as {{ not_materialized() }} (

    {{ counts_by_grouping('relational_months', 'responded_month', ['customer_segment']) }}

),

relational_segment_periods as (

    {%- if day_grains %}
    {{ aggregate_to_periods('grouped_relational_days', ['survey_type', 'grouping', 'group_key', 'customer_segment'], day_grains) }}
    {%- endif %}
    {%- if day_grains and month_grains %}
    union all
    {%- endif %}
    {%- if month_grains %}
    {{ aggregate_to_periods(
        'grouped_relational_months', ['survey_type', 'grouping', 'group_key', 'customer_segment'], month_grains, 'responded_month'
    ) }}
    {%- endif %}

),

-- The segments' shares of active customers on the first day of each period.
segment_shares as (

    select
        period_starts.period_start,
        segment_history.customer_segment,
        cast(segment_history.active_customers as double precision)
            / sum(segment_history.active_customers) over (partition by period_starts.period_start)
            as segment_share

    from (select distinct period_start from relational_segment_periods) as period_starts
    inner join segment_history
        on period_starts.period_start >= segment_history.valid_from
        and period_starts.period_start < segment_history.valid_until
    where segment_history.active_customers > 0

),

-- Relational NPS post-stratified to the CRM's active customer base: the NPS of each customer
-- segment, weighted by the segment's share of active customers (over the segments that answered).
weighted as (

    select
        relational_segment_periods.period_grain,
        relational_segment_periods.period_start,
        relational_segment_periods.survey_type,
        relational_segment_periods.grouping,
        relational_segment_periods.group_key,
        sum(
            segment_shares.segment_share
            * {{ nps(
                'relational_segment_periods.promoters', 'relational_segment_periods.detractors',
                'relational_segment_periods.responses',
            ) }}
        ) / sum(segment_shares.segment_share) as nps_weighted

    from relational_segment_periods
    inner join segment_shares
        on relational_segment_periods.period_start = segment_shares.period_start
        and relational_segment_periods.customer_segment = segment_shares.customer_segment
    group by
        relational_segment_periods.period_grain,
        relational_segment_periods.period_start,
        relational_segment_periods.survey_type,
        relational_segment_periods.grouping,
        relational_segment_periods.group_key

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

-- Every period after this run: the rebuilt ones and, in an incremental run, the others as stored.
all_periods as (

    select grouping, group_key, survey_type, period_grain, period_start, next_period_start, nps
    from rebuilt
    {%- if is_incremental() %}

    union all

    select
        stored.grouping,
        stored.group_key,
        stored.survey_type,
        stored.period_grain,
        stored.period_start,
        {{ shift_period_by_grain_column('stored.period_grain', 'stored.period_start', 1) }} as next_period_start,
        stored.nps

    from {{ this }} as stored
    left join rebuilt_periods
        on stored.period_grain = rebuilt_periods.period_grain
        and stored.period_start = rebuilt_periods.period_start
    where rebuilt_periods.period_start is null
    {%- endif %}

),

first_full_periods as (

    select
        all_periods.grouping,
        all_periods.group_key,
        all_periods.survey_type,
        all_periods.period_grain,
        min(all_periods.period_start) as baseline_period_start

    from all_periods
    inner join measurement_windows
        on all_periods.survey_type = measurement_windows.survey_type
    where all_periods.period_start >= measurement_windows.first_responded_date
        and all_periods.next_period_start
            <= cast({{ dbt.dateadd('day', 1, 'measurement_windows.last_responded_date') }} as date)
    group by all_periods.grouping, all_periods.group_key, all_periods.survey_type, all_periods.period_grain

),

baselines as (

    select
        first_full_periods.grouping,
        first_full_periods.group_key,
        first_full_periods.survey_type,
        first_full_periods.period_grain,
        all_periods.nps as baseline_nps

    from first_full_periods
    inner join all_periods
        on first_full_periods.grouping = all_periods.grouping
        and first_full_periods.group_key = all_periods.group_key
        and first_full_periods.survey_type = all_periods.survey_type
        and first_full_periods.period_grain = all_periods.period_grain
        and first_full_periods.baseline_period_start = all_periods.period_start

),

rebuilt_rows as (

    select
        rebuilt.grouping,
        rebuilt.group_key,
        rebuilt.period_grain,
        rebuilt.period_start,
        rebuilt.survey_type,
        rebuilt.responses,
        rebuilt.promoters,
        rebuilt.passives,
        rebuilt.detractors,
        rebuilt.nps,
        rebuilt.nps_margin_of_error,
        rebuilt.nps_ci_lower,
        rebuilt.nps_ci_upper,
        rebuilt.is_reportable,
        rebuilt.nps_previous,
        rebuilt.nps_change,
        rebuilt.change_is_significant,
        baselines.baseline_nps,
        weighted.nps_weighted

    from rebuilt
    left join baselines
        on rebuilt.grouping = baselines.grouping
        and rebuilt.group_key = baselines.group_key
        and rebuilt.survey_type = baselines.survey_type
        and rebuilt.period_grain = baselines.period_grain
    left join weighted
        on rebuilt.grouping = weighted.grouping
        and rebuilt.group_key = weighted.group_key
        and rebuilt.survey_type = weighted.survey_type
        and rebuilt.period_grain = weighted.period_grain
        and rebuilt.period_start = weighted.period_start

),

{%- if is_incremental() %}

-- Stored periods (not rebuilt) where a group's baseline moved - a first period became full, or a
-- backfill changed one - or a relational weight moved (segment_shares), written again whole with the
-- new baselines and weights.
rewritten_periods as (

    select distinct stored.period_grain, stored.period_start
    from {{ this }} as stored
    left join rebuilt_periods
        on stored.period_grain = rebuilt_periods.period_grain
        and stored.period_start = rebuilt_periods.period_start
    left join baselines
        on stored.grouping = baselines.grouping
        and stored.group_key = baselines.group_key
        and stored.survey_type = baselines.survey_type
        and stored.period_grain = baselines.period_grain
    left join weighted
        on stored.grouping = weighted.grouping
        and stored.group_key = weighted.group_key
        and stored.survey_type = weighted.survey_type
        and stored.period_grain = weighted.period_grain
        and stored.period_start = weighted.period_start
    where rebuilt_periods.period_start is null
        and (
            stored.baseline_nps is distinct from baselines.baseline_nps
            or stored.nps_weighted is distinct from weighted.nps_weighted
        )

),

rewritten_rows as (

    select
        stored.grouping,
        stored.group_key,
        stored.period_grain,
        stored.period_start,
        stored.survey_type,
        stored.responses,
        stored.promoters,
        stored.passives,
        stored.detractors,
        stored.nps,
        stored.nps_margin_of_error,
        stored.nps_ci_lower,
        stored.nps_ci_upper,
        stored.is_reportable,
        stored.nps_previous,
        stored.nps_change,
        stored.change_is_significant,
        baselines.baseline_nps,
        weighted.nps_weighted

    from {{ this }} as stored
    inner join rewritten_periods
        on stored.period_grain = rewritten_periods.period_grain
        and stored.period_start = rewritten_periods.period_start
    left join baselines
        on stored.grouping = baselines.grouping
        and stored.group_key = baselines.group_key
        and stored.survey_type = baselines.survey_type
        and stored.period_grain = baselines.period_grain
    left join weighted
        on stored.grouping = weighted.grouping
        and stored.group_key = weighted.group_key
        and stored.survey_type = weighted.survey_type
        and stored.period_grain = weighted.period_grain
        and stored.period_start = weighted.period_start

),
{%- endif %}

final as (

    select
        *,
        cast('{{ run_started_at.isoformat() }}' as timestamp with time zone) as built_at

    from (
        select * from rebuilt_rows
        {%- if is_incremental() %}
        union all
        select * from rewritten_rows
        {%- endif %}
    ) as written_rows

)

select * from final
