{#- Marks a CTE to be inlined where it is used rather than computed once and kept: DuckDB (and
    PostgreSQL) keep a CTE used more than once in full, so an import CTE of a large table is copied
    whole before each use filters it down to the few rows a nightly needs. Inlined, every use
    scans the table with its own filters. On other warehouses the CTE is left to the optimizer. -#}
{% macro not_materialized() -%}
    {%- if target.type in ('duckdb', 'postgres') -%} not materialized {%- endif -%}
{%- endmacro %}
