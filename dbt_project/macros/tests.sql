{#- Generic tests, so marts need no package downloads (dbt deps needs the internet). -#}

{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% test counts_add_up(model) %}
    select *
    from {{ model }}
    where promoters + passives + detractors <> responses
{% endtest %}
