{#- A backfill's days: vars window_start (inclusive) and window_end (exclusive), local dates in the
    reporting timezone, which the orchestration sets for a backfill run only. Without them the
    incremental models load what is new, as always. -#}

{% macro backfill_window_given() -%}
    {{ return(var("window_start", none) is not none and var("window_end", none) is not none) }}
{%- endmacro %}

{% macro in_backfill_window(date_expression) -%}
    ({{ date_expression }} >= cast('{{ var("window_start") }}' as date)
        and {{ date_expression }} < cast('{{ var("window_end") }}' as date))
{%- endmacro %}

{#- pre_hook of an incremental model: its rows of the window's days go first, and the model then
    rebuilds those days from what is landed, as a full refresh would (nothing stale lingers). -#}
{% macro delete_backfill_window(date_column) -%}
    {%- if is_incremental() and backfill_window_given() -%}
        delete from {{ this }} where {{ in_backfill_window(date_column) }}
    {%- endif -%}
{%- endmacro %}

{#- The window's days, as a select of one responded_date column (a window names a handful of days;
    a year's backfill is 365 rows). -#}
{% macro backfill_window_days() -%}
    {%- set first_day = modules.datetime.date.fromisoformat(var("window_start") | string) -%}
    {%- set end_day = modules.datetime.date.fromisoformat(var("window_end") | string) -%}
    {%- for offset in range((end_day - first_day).days) %}
    select cast('{{ first_day + modules.datetime.timedelta(days=offset) }}' as date) as responded_date
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select cast(null as date) as responded_date where 1 = 0
    {%- endfor %}
{%- endmacro %}

{#- pre_hook of a model keyed on period_grain and period_start: every period that overlaps the
    window goes first (the model then rebuilds those periods from what is landed, so a period the
    window emptied leaves no row behind). -#}
{% macro delete_backfill_window_periods() -%}
    {%- if is_incremental() and backfill_window_given() -%}
        delete from {{ this }}
        where period_start < cast('{{ var("window_end") }}' as date)
            and {{ shift_period_by_grain_column('period_grain', 'period_start', 1) }}
                > cast('{{ var("window_start") }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of int_nps_monthly_counts: the months the window touches go first. -#}
{% macro delete_backfill_window_months() -%}
    {%- if is_incremental() and backfill_window_given() -%}
        delete from {{ this }}
        where responded_month >= {{ period_start('month', "'" ~ var('window_start') ~ "'") }}
            and responded_month < cast('{{ var("window_end") }}' as date)
    {%- endif -%}
{%- endmacro %}
