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

{#- The column's values in the rows no passing build has tested yet (see tested_rows.sql) occur once
    in the whole model: a new row repeating an old row's value is caught, which testing the new rows
    alone would miss. -#}
{% test unique_since_passed_build(model, column_name, stamp_column) %}
    select {{ column_name }}, count(*) as occurrences
    from {{ model }}
    where {{ column_name }} in (
        select {{ column_name }} from {{ model }} where {{ not_yet_passed(stamp_column) }}
    )
    group by {{ column_name }}
    having count(*) > 1
{% endtest %}
