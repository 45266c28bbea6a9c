{#- The follow-up settings (vars follow_up_categories, follow_up_sla_hours, follow_up_alert_min_revenue)
    as one text, stored on every int_follow_ups row: the rows were computed with them. -#}
{% macro follow_up_settings() -%}
    {{- tojson({
        "categories": var("follow_up_categories"),
        "sla_hours": var("follow_up_sla_hours"),
        "alert_min_revenue": var("follow_up_alert_min_revenue"),
    }, sort_keys=true) | replace("'", "''") -}}
{%- endmacro %}

{#- Stored follow-ups were computed with other settings: an incremental run would mix the two, so
    it stops and asks for a full refresh (as a changed reporting timezone does). -#}
{% macro assert_follow_up_settings_unchanged(relation) -%}
    {%- if execute and is_incremental() -%}
        {%- set built_with = run_query(
            "select distinct follow_up_settings from " ~ relation
        ).columns[0].values() -%}
        {%- if built_with | reject("equalto", follow_up_settings()) | list -%}
            {{ exceptions.raise_compiler_error(
                relation ~ " was built with follow-up settings " ~ (built_with | join(", "))
                ~ ", this run has " ~ follow_up_settings()
                ~ ": rebuild with --full-refresh (nps refresh --full-refresh) so every follow-up follows one set"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
