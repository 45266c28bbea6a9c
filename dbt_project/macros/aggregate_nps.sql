{#- Daily (or monthly) counts -> one row per period grain, period start and group, with summed counts.
    The relation needs the date column, responses, promoters, passives and detractors; `grains`
    defaults to every grain of period_grains(). -#}
{% macro aggregate_to_periods(relation, group_columns, grains=none, date_column='responded_date') -%}
    {%- for grain in (grains if grains is not none else period_grains()) %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, date_column) }} as period_start,
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        cast(sum(responses) as {{ dbt.type_int() }}) as responses,
        cast(sum(promoters) as {{ dbt.type_int() }}) as promoters,
        cast(sum(passives) as {{ dbt.type_int() }}) as passives,
        cast(sum(detractors) as {{ dbt.type_int() }}) as detractors
    from {{ relation }}
    group by {{ period_start(grain, date_column) }}{% for column in group_columns %}, {{ column }}{% endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The statistics of one period row, from its promoters, detractors and responses. -#}
{% macro nps_statistics() -%}
    {{ nps('promoters', 'detractors', 'responses') }} as nps,
    {{ nps_margin_of_error('promoters', 'detractors', 'responses') }} as nps_margin_of_error,
    {{ nps_adjusted_wald_bound('promoters', 'detractors', 'responses', 'lower') }} as nps_ci_lower,
    {{ nps_adjusted_wald_bound('promoters', 'detractors', 'responses', 'upper') }} as nps_ci_upper,
    responses >= {{ var('min_responses') }} as is_reportable
{%- endmacro %}

{#- The measures every NPS mart publishes, in one order, from a row of int_nps_periods. -#}
{% macro nps_period_measures(relation_alias) -%}
    {%- for column in [
        "responses", "promoters", "passives", "detractors",
        "nps", "nps_margin_of_error", "nps_ci_lower", "nps_ci_upper", "is_reportable",
        "nps_previous", "nps_change", "change_is_significant", "nps_weighted", "baseline_nps",
    ] %}
        {{ relation_alias }}.{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Counts (daily or monthly) -> the same counts per grouping and group: overall (group_key
    'overall'), product, process and employee, each row once per grouping it has a key for; kept apart
    by `by_columns` too (customer_segment), summed over everything else. -#}
{% macro counts_by_grouping(relation, date_column, by_columns=[]) -%}
    {%- set kept = ([date_column, 'survey_type'] + by_columns) | join(', ') -%}
    {%- for grouping, key_column in [
        ('overall', "'overall'"), ('product', 'product'), ('process', 'process'), ('employee', 'employee_id'),
    ] %}
    select
        '{{ grouping }}' as grouping,
        {{ key_column }} as group_key,
        {{ kept }},
        cast(sum(responses) as {{ dbt.type_int() }}) as responses,
        cast(sum(promoters) as {{ dbt.type_int() }}) as promoters,
        cast(sum(passives) as {{ dbt.type_int() }}) as passives,
        cast(sum(detractors) as {{ dbt.type_int() }}) as detractors

    from {{ relation }}
    {%- if grouping != 'overall' %}
    where {{ key_column }} is not null
    group by {{ key_column }}, {{ kept }}
    {%- else %}
    group by {{ kept }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
