{#- Incremental models keyed on something other than a response: pre_hooks and conditions that keep
    them equal to a full build. -#}

{#- pre_hook: rows whose key no longer occurs in `source_relation` (a customer gone from the CRM) go;
    delete+insert alone replaces only the keys a run recomputes. -#}
{% macro delete_vanished_keys(key_column, source_relation) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key_column }} not in (
            select {{ key_column }} from {{ source_relation }} where {{ key_column }} is not null
        )
    {%- endif -%}
{%- endmacro %}

{#- The latest value of a run-stamp column in this model, as a watermark (1900 when empty). -#}
{% macro watermark(stamp_column) -%}
    (
        select coalesce(max({{ stamp_column }}), cast('1900-01-01' as timestamp with time zone))
        from {{ this }}
    )
{%- endmacro %}
