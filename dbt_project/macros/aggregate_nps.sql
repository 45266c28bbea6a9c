{#- Responses -> one row per period grain, period start, survey type and group, with counts. -#}
{% macro aggregate_nps(relation, group_columns=[]) -%}
    {%- for grain in period_grains() %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'responded_date') }} as period_start,
        survey_type,
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        cast(count(*) as integer) as responses,
        cast(count(*) filter (where nps_category = 'promoter') as integer) as promoters,
        cast(count(*) filter (where nps_category = 'passive') as integer) as passives,
        cast(count(*) filter (where nps_category = 'detractor') as integer) as detractors
    from {{ relation }}
    group by {{ period_start(grain, 'responded_date') }}, survey_type
        {%- for column in group_columns %}, {{ column }}{% endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The statistics every NPS mart carries, from its promoters, detractors and responses. -#}
{% macro nps_statistics() -%}
    {{ nps('promoters', 'detractors', 'responses') }} as nps,
    {{ nps_margin_of_error('promoters', 'detractors', 'responses') }} as nps_margin_of_error,
    {{ nps_adjusted_wald_bound('promoters', 'detractors', 'responses', 'lower') }} as nps_ci_lower,
    {{ nps_adjusted_wald_bound('promoters', 'detractors', 'responses', 'upper') }} as nps_ci_upper,
    responses >= {{ var('min_responses') }} as is_reportable
{%- endmacro %}
