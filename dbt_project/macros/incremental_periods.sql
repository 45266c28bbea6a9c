{#- The NPS marts are incremental by period, like int_nps_periods: a run takes the int_nps_periods rows
    written since the mart's last build (whole periods, every group) and the periods of stored rows
    whose target or employee process is no longer current, and replaces those periods
    (delete+insert on period_grain and period_start). -#}

{% macro nps_mart_config() -%}
    {{ config(
        materialized='incremental',
        unique_key=['period_grain', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_backfill_window_periods() }}",
    ) }}
{%- endmacro %}

{#- A condition on a row of int_nps_periods (alias `periods_alias`): it is to be (re)written by this
    run of the mart; `stale_periods` names a CTE of (period_grain, period_start) found out of date. -#}
{% macro period_is_rebuilt(periods_alias, stale_periods) -%}
    {%- if is_incremental() -%}
        ({{ periods_alias }}.built_at > (
            select coalesce(max(built_at), cast('1900-01-01' as timestamp with time zone))
            from {{ this }}
        )
        or exists (
            select 1
            from {{ stale_periods }}
            where {{ stale_periods }}.period_grain = {{ periods_alias }}.period_grain
                and {{ stale_periods }}.period_start = {{ periods_alias }}.period_start
        ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The (period_grain, period_start) of stored mart rows whose target is not the one in force now
    (the targets seed changed); none in a full build. `key_column` is the mart's group column, or
    none for nps_overall. -#}
{% macro periods_with_stale_targets(target_ranges, key_column=none) -%}
    select distinct stored.period_grain, stored.period_start
    from {{ this }} as stored
    left join {{ target_ranges }}
        on stored.period_start between {{ target_ranges }}.valid_from and {{ target_ranges }}.valid_until
        {%- if key_column %}
        and stored.{{ key_column }} = {{ target_ranges }}.target_key
        {%- endif %}
    where stored.target_nps is distinct from {{ target_ranges }}.target_nps
        or stored.target_date is distinct from {{ target_ranges }}.target_date
{%- endmacro %}

{#- A condition on a row of daily or monthly counts: in an incremental run, its date lies in one of
    the `periods` (a CTE of period_grain, period_start) of one of `grains`; in a full build, true. -#}
{% macro falls_in_periods(date_column, grains, periods) -%}
    {%- if is_incremental() -%}
        {%- for grain in grains -%}
        {{ ' or ' if not loop.first }}{{ period_start(grain, date_column) }} in (
            select period_start from {{ periods }} where period_grain = '{{ grain }}'
        )
        {%- else -%}
        false
        {%- endfor -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
