{#- Reporting periods. ISO weeks start on Monday (date_trunc('week') on DuckDB and PostgreSQL). -#}

{% macro period_grains() -%}
    {{ return(["day", "week", "month", "quarter", "year"]) }}
{%- endmacro %}

{% macro period_start(grain, date_column) -%}
    cast(date_trunc('{{ grain }}', {{ date_column }}) as date)
{%- endmacro %}

{#- A UTC instant -> the local date in the reporting timezone. -#}
{% macro local_date(timestamp_column) -%}
    cast(({{ timestamp_column }} at time zone '{{ var("reporting_timezone") }}') as date)
{%- endmacro %}
