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

{#- Values outside [min_value, max_value]; nulls pass (test not_null separately). -#}
{% test between(model, column_name, min_value, max_value) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}

{#- Rows for which `expression` is not true (as dbt_utils.expression_is_true). -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
