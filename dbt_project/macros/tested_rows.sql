{#- Tests of the big incremental models read only the rows no passing build has tested yet.

    A row of int_responses_conformed (and of the models that copy its conformed_at) is written once
    per run that conforms it and stamped with that run's start; a staging row carries the time its
    raw record (this version of it) was landed. When a `dbt build` of the whole
    project ends with every test passed, its start is recorded (`record_passed_build`); a later
    run's tests on those models then need only the rows conformed after it - the same verdict as
    testing every row, at the cost of the new rows, not of the history. A build that fails records
    nothing, so its rows are tested again until a build passes; a full refresh tests every row. -#}

{% macro passed_builds_relation() -%}
    {{ target.schema }}.nps_passed_builds
{%- endmacro %}

{#- on-run-start: the record exists before any test reads it. -#}
{% macro create_passed_builds() -%}
    create table if not exists {{ passed_builds_relation() }} (run_started_at timestamp with time zone)
{%- endmacro %}

{#- A condition on a model's run-stamp column: written since the last build that passed. A full
    refresh tests every row (staging's stamp is the raw record's landing time, which a full refresh
    does not change; a test added since must still see the whole history once). -#}
{% macro not_yet_passed(stamp_column) -%}
    {%- if flags.FULL_REFRESH -%}
        1 = 1
    {%- else -%}
        {{ stamp_column }} > (
            select coalesce(max(run_started_at), cast('1900-01-01' as timestamp with time zone))
            from {{ passed_builds_relation() }}
        )
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: record this build's start when it built and tested the whole project and nothing
    failed (a partial selection or a failure records nothing). -#}
{% macro record_passed_build(results) -%}
    {%- if execute and flags.WHICH == 'build' -%}
        {%- set project_tests = graph.nodes.values() | selectattr('resource_type', 'equalto', 'test') | list -%}
        {%- set ran_tests = results | selectattr('node.resource_type', 'equalto', 'test') | list -%}
        {%- set failed = results | rejectattr('status', 'in', ['success', 'pass', 'warn']) | list -%}
        {%- if ran_tests | length == project_tests | length and not failed -%}
            insert into {{ passed_builds_relation() }}
            values (cast('{{ run_started_at.isoformat() }}' as timestamp with time zone))
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- dbt's `where` test config, with `not_yet_passed(column)` written in it standing for that
    condition (a yml config cannot call macros itself). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set placeholder = modules.re.search('not_yet_passed\\((\\w+)\\)', where) -%}
        {%- if placeholder -%}
            {%- set where = where.replace(placeholder.group(0), not_yet_passed(placeholder.group(1))) -%}
        {%- endif -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
