{#- Generic tests, so marts need no package downloads (dbt deps needs the internet). -#}

{#- With `stamp_column`: only the combinations occurring in rows no passing build has tested yet (see
    tested_rows.sql), counted over the whole model (configure `where: ""` so `model` is all of it). -#}
{% test unique_combination(model, columns, stamp_column=none) %}
    {%- set key = columns | join(', ') %}
    with

    {% if stamp_column -%}
    new_combinations as (

        select distinct {{ key }} from {{ model }} where {{ not_yet_passed(stamp_column) }}

    ),
    {%- endif %}

    occurrences as (

        select {{ key }}, count(*) as occurrences
        from {{ model }}
        {%- if stamp_column %}
        inner join new_combinations using ({{ key }})
        {%- endif %}
        group by {{ key }}
        having count(*) > 1

    )

    select * from occurrences
{% endtest %}

{#- The columns holding nulls, with how many rows hold one: one scan and one test node per model
    instead of one per column (at some 200 columns, dbt's and Dagster's cost per test node was most
    of a nightly's test time). Fails with the number of null values found. -#}
{% test not_null_columns(model, columns) %}
    {{ config(fail_calc="coalesce(sum(null_rows), 0)") }}
    with

    null_counts as (

        select
            {%- for column in columns %}
            cast(sum(case when {{ column }} is null then 1 else 0 end) as bigint) as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ model }}

    ),

    final as (

        {%- for column in columns %}
        select '{{ column }}' as column_name, {{ column }} as null_rows
        from null_counts
        where {{ column }} > 0
        {%- if not loop.last %}

        union all
        {% endif %}
        {%- endfor %}

    )

    select * from final
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
