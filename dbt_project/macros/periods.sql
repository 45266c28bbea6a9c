{#- Reporting periods, cut in var('reporting_timezone'). ISO weeks start on Monday (date_trunc('week')
    on DuckDB and PostgreSQL). -#}

{#- The grains every NPS mart carries; unit tests narrow them with var('period_grains'). -#}
{% macro period_grains() -%}
    {{ return(var("period_grains", ["day", "week", "month", "quarter", "year"])) }}
{%- endmacro %}

{#- A UTC instant -> the local date in the reporting timezone (23:30 UTC on 31 March is 1 April in
    Europe/Amsterdam). Both engines implement the SQL-standard `at time zone`. -#}
{% macro local_date(timestamp_column) -%}
    cast(({{ timestamp_column }} at time zone '{{ var("reporting_timezone") }}') as date)
{%- endmacro %}

{#- First day of the period of `grain` a date falls in. -#}
{% macro period_start(grain, date_column) -%}
    cast({{ dbt.date_trunc(grain, "cast(" ~ date_column ~ " as " ~ dbt.type_timestamp() ~ ")") }} as date)
{%- endmacro %}

{#- The start of the period `periods` periods away from `date_expression` (a period start), for a
    grain known when compiling. PostgreSQL has no 'quarter' interval, hence months. -#}
{% macro shift_period(grain, date_expression, periods) -%}
    {%- if grain == "quarter" -%}
        cast({{ dbt.dateadd("month", 3 * periods, date_expression) }} as date)
    {%- elif grain == "week" -%}
        cast({{ dbt.dateadd("day", 7 * periods, date_expression) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd(grain, periods, date_expression) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- The same for a grain held in a column (values of period_grains()). -#}
{% macro shift_period_by_grain_column(grain_column, date_expression, periods) -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then {{ shift_period(grain, date_expression, periods) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- Incremental models keep dates cut in the timezone of the run that wrote them; a changed
    reporting.timezone must rebuild them rather than mix two cuts. Fails an incremental run whose
    var('reporting_timezone') differs from the one `relation` was built with. -#}
{% macro assert_reporting_timezone_unchanged(relation) -%}
    {%- if execute and is_incremental() -%}
        {%- set built_with = run_query(
            "select distinct reporting_timezone from " ~ relation ~ " where reporting_timezone is not null"
        ).columns[0].values() -%}
        {%- if built_with | reject("equalto", var("reporting_timezone")) | list -%}
            {{ exceptions.raise_compiler_error(
                relation ~ " was built with reporting timezone " ~ (built_with | join(", "))
                ~ ", this run has " ~ var("reporting_timezone")
                ~ ": rebuild with --full-refresh (nps refresh --full-refresh) so every date is cut in one timezone"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
