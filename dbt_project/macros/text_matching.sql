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

{#- The theme taxonomy (seed comment_themes) as rows (theme, language, pattern), read when the model
    runs so that each pattern reaches the engine as a constant: DuckDB compiles a pattern taken from
    a column once per row, which cost minutes per million comments. Unit tests override this macro
    with their own rows. -#}
{% macro comment_theme_patterns() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set taxonomy = run_query(
        "select theme, language, pattern from " ~ ref('comment_themes') ~ " order by theme, language, pattern"
    ) -%}
    {{ return(taxonomy.rows) }}
{%- endmacro %}
