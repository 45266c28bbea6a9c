{#- Daily counts -> one row per period grain, period start and group, with summed counts. The
    relation needs responded_date, responses, promoters, passives and detractors. -#}
{% macro aggregate_to_periods(relation, group_columns) -%}
    {%- for grain in period_grains() %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'responded_date') }} as period_start,
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        cast(sum(responses) as {{ dbt.type_int() }}) as responses,
        cast(sum(promoters) as {{ dbt.type_int() }}) as promoters,
        cast(sum(passives) as {{ dbt.type_int() }}) as passives,
        cast(sum(detractors) as {{ dbt.type_int() }}) as detractors
    from {{ relation }}
    group by {{ period_start(grain, 'responded_date') }}{% for column in group_columns %}, {{ column }}{% endfor %}
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
