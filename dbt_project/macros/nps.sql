{#- The NPS formulas, in exactly one place. Counts in, double precision out. -#}

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

{#- Variance of the NPS on the -1..1 scale: p + d - (p - d)^2, p and d the shares. -#}
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
