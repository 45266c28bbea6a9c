{{ nps_mart_config() }}

with

target_ranges as (

    select * from {{ ref('int_nps_target_ranges') }}
    where target_scope = 'process'

),

{%- if is_incremental() %}

retargeted_periods as (

    {{ periods_with_stale_targets('target_ranges', 'process') }}

),
{%- endif %}

periods as (

    select * from {{ ref('int_nps_periods') }} as periods
    where periods.grouping = 'process'
        and {{ period_is_rebuilt('periods', 'retargeted_periods') }}

),

final as (

    select
        periods.period_grain,
        periods.period_start,
        periods.survey_type,
        periods.group_key as process,
        {{ nps_period_measures('periods') }},
        target_ranges.target_nps,
        target_ranges.target_date,
        target_ranges.target_nps - periods.nps as gap_to_target,
        periods.built_at

    from periods
    left join target_ranges
        on periods.period_start between target_ranges.valid_from and target_ranges.valid_until
        and periods.group_key = target_ranges.target_key

)

select * from final
