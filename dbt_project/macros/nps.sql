{#- The NPS formulas, in exactly one place. Counts in, double precision out. Shares (p, d) are on
    the 0..1 scale; NPS, margins and bounds are in NPS points (-100..100). -#}

{% macro nps_category(score) -%}
    case
        when {{ score }} >= 9 then 'promoter'
        when {{ score }} >= 7 then 'passive'
        else 'detractor'
    end
{%- endmacro %}

{% macro nps(promoters, detractors, responses) -%}
    (100.0 * cast({{ promoters }} - {{ detractors }} as double precision) / nullif({{ responses }}, 0))
{%- endmacro %}

{#- Variance of one response's NPS contribution (+1, 0, -1): p + d - (p - d)^2. -#}
{% macro nps_variance(promoters, detractors, responses) -%}
    (
        cast({{ promoters }} + {{ detractors }} as double precision) / nullif({{ responses }}, 0)
        - power(cast({{ promoters }} - {{ detractors }} as double precision) / nullif({{ responses }}, 0), 2)
    )
{%- endmacro %}

{#- 95 % Wald margin of error, in NPS points. -#}
{% macro nps_margin_of_error(promoters, detractors, responses) -%}
    (1.96 * 100.0 * sqrt({{ nps_variance(promoters, detractors, responses) }} / nullif({{ responses }}, 0)))
{%- endmacro %}

{#- 95 % adjusted-Wald interval (Rocks 2016): add 0.75 to promoters and to detractors and 3 to n,
    then a Wald interval around the adjusted NPS, clipped to [-100, 100]. bound: 'lower' | 'upper'. -#}
{% macro nps_adjusted_wald_bound(promoters, detractors, responses, bound) -%}
    {%- set p = "(" ~ promoters ~ " + 0.75)" -%}
    {%- set d = "(" ~ detractors ~ " + 0.75)" -%}
    {%- set n = "(" ~ responses ~ " + 3.0)" -%}
    {%- set sign = "-" if bound == "lower" else "+" -%}
    {%- set clip = "greatest" if bound == "lower" else "least" -%}
    {{ clip }}(
        {{ -100.0 if bound == "lower" else 100.0 }},
        100.0 * (
            cast({{ p }} - {{ d }} as double precision) / {{ n }}
            {{ sign }} 1.96 * sqrt({{ nps_variance(p, d, n) }} / {{ n }})
        )
    )
{%- endmacro %}

{#- Two-sample test on proportions between two periods: |nps1 - nps2| / sqrt(var1/n1 + var2/n2) >
    1.96, written without the division so that two periods without variance (all promoters, then
    all detractors) still compare. Null when either period has no responses. -#}
{% macro nps_change_is_significant(promoters, detractors, responses, previous_promoters, previous_detractors, previous_responses) -%}
    (
        abs({{ nps(promoters, detractors, responses) }} - {{ nps(previous_promoters, previous_detractors, previous_responses) }}) / 100.0
        > 1.96 * sqrt(
            {{ nps_variance(promoters, detractors, responses) }} / nullif({{ responses }}, 0)
            + {{ nps_variance(previous_promoters, previous_detractors, previous_responses) }} / nullif({{ previous_responses }}, 0)
        )
    )
{%- endmacro %}

{#- Responses and their NPS categories counted: the columns every NPS aggregation starts from. -#}
{% macro nps_category_counts() -%}
    cast(count(*) as {{ dbt.type_int() }}) as responses,
        cast(sum(case when nps_category = 'promoter' then 1 else 0 end) as {{ dbt.type_int() }}) as promoters,
        cast(sum(case when nps_category = 'passive' then 1 else 0 end) as {{ dbt.type_int() }}) as passives,
        cast(sum(case when nps_category = 'detractor' then 1 else 0 end) as {{ dbt.type_int() }}) as detractors
{%- endmacro %}
