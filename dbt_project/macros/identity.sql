{#- An e-mail address as identity: surrounding whitespace (spaces, tabs, line breaks) removed and
    lower-cased; empty is null. -#}
{% macro normalized_email(column) -%}
    nullif(lower(trim(both ' ' || chr(9) || chr(10) || chr(13) from {{ column }})), '')
{%- endmacro %}

{#- A text id: trimmed, empty is null. -#}
{% macro normalized_id(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
