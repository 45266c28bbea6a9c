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
