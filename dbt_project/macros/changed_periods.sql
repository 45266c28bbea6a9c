{#- Models incremental by reporting period (period_grain, period_start), stamped with a watermark
    column: a run recomputes every period that holds a day with responses conformed since then. -#}

{#- (period_grain, period_start) of every grain for the local days with responses conformed after
    the model's watermark. -#}
{% macro periods_of_days_conformed_since(stamp_column) -%}
    {%- for grain in period_grains() %}
    select distinct
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'responded_date') }} as period_start
    from {{ ref('int_responses_conformed') }}
    where conformed_at > {{ watermark(stamp_column) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- pre_hook: those periods' rows go first, and every period a backfill's window touches (a period
    may be left without rows, which delete+insert alone would not remove). -#}
{% macro delete_changed_periods(stamp_column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where
        {%- for grain in period_grains() %}
            (
                period_grain = '{{ grain }}'
                and (
                    period_start in (
                        select {{ period_start(grain, 'responded_date') }}
                        from {{ ref('int_responses_conformed') }}
                        where conformed_at > {{ watermark(stamp_column) }}
                    )
                    {%- if backfill_window_given() %}
                    or (
                        period_start >= {{ period_start(grain, "cast('" ~ var('window_start') ~ "' as date)") }}
                        and period_start < cast('{{ var("window_end") }}' as date)
                    )
                    {%- endif %}
                )
            ){{ " or" if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
