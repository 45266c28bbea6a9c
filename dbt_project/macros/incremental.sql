{#- pre_hook of an incremental model keyed on response_key that takes the responses conformed since
    its last run: their earlier rows go first, so a response that was conformed again (a newer copy,
    a customer now identified) and no longer yields rows leaves none behind. -#}
{% macro delete_reconformed_responses() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where response_key in (
            select response_key
            from {{ ref('int_responses_conformed') }}
            where conformed_at > (
                select coalesce(max(conformed_at), cast('1900-01-01' as timestamp with time zone))
                from {{ this }}
            )
        )
    {%- endif -%}
{%- endmacro %}
