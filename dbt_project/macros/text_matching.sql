{#- Case-insensitive regular-expression match of a text against a pattern (both SQL expressions).
    Patterns should keep to what RE2 (DuckDB) and POSIX ARE (PostgreSQL) share: alternation,
    groups, bracket classes, ^ and $ (no \b, no look-around). -#}
{% macro matches_pattern(text, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'nps')(text, pattern)) }}
{%- endmacro %}

{% macro duckdb__matches_pattern(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }}, 'i')
{%- endmacro %}

{% macro postgres__matches_pattern(text, pattern) -%}
    ({{ text }} ~* {{ pattern }})
{%- endmacro %}

{% macro default__matches_pattern(text, pattern) -%}
    {{ exceptions.raise_compiler_error(
        "matches_pattern: expected a duckdb or postgres target, found " ~ target.type
    ) }}
{%- endmacro %}
