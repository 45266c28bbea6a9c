{{
    config(
        materialized='incremental',
        unique_key=['period_grain', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_periods('last_conformed_at') }}",
    )
}}

-- The themes in each employee's own feedback, per period, for coaching: how often each theme comes
-- up in the comments on their work and from whom. Restricted (names employees; not published).
-- Incremental by period: a run recomputes every period, of every grain, that holds a day with
-- responses conformed since the last run (a backfill conforms its days again); the pre_hook deletes
-- those periods' rows first, and a backfill window's, so a period left without mentions keeps none.
with

conformed_responses as (

    select * from {{ ref('int_responses_conformed') }}

),

comment_theme_mentions as (

    select * from {{ ref('comment_theme_mentions') }}
    where employee_id is not null

),

employee_periods as (

    select * from {{ ref('int_nps_periods') }}
    where grouping = 'employee'

),

{% if is_incremental() %}
changed_periods as (

    {{ periods_of_days_conformed_since('last_conformed_at') }}

),
{% endif %}

daily_theme_counts as (

    select
        responded_date,
        survey_type,
        employee_id,
        theme,
        {{ nps_category_counts() }}

    from comment_theme_mentions
    {% if is_incremental() %}
    -- every day of every changed period (the year's reach furthest back)
    where responded_date >= (select min(period_start) from changed_periods)
    {% endif %}
    group by responded_date, survey_type, employee_id, theme

),

theme_periods as (

    {{ aggregate_to_periods('daily_theme_counts', ['survey_type', 'employee_id', 'theme']) }}

),

changed_theme_periods as (

    select theme_periods.*
    from theme_periods
    {% if is_incremental() %}
    inner join changed_periods
        on theme_periods.period_grain = changed_periods.period_grain
        and theme_periods.period_start = changed_periods.period_start
    {% endif %}

),

final as (

    select
        changed_theme_periods.period_grain,
        changed_theme_periods.period_start,
        changed_theme_periods.survey_type,
        changed_theme_periods.employee_id,
        changed_theme_periods.theme,
        changed_theme_periods.responses as mentions,
        changed_theme_periods.promoters as promoter_mentions,
        changed_theme_periods.passives as passive_mentions,
        changed_theme_periods.detractors as detractor_mentions,
        employee_periods.responses as employee_responses,
        cast(changed_theme_periods.responses as double precision)
            / nullif(employee_periods.responses, 0) as share_of_responses,
        -- every response conformed so far is in the periods as of this run: the watermark
        (select max(conformed_at) from conformed_responses) as last_conformed_at

    from changed_theme_periods
    inner join employee_periods
        on changed_theme_periods.period_grain = employee_periods.period_grain
        and changed_theme_periods.period_start = employee_periods.period_start
        and changed_theme_periods.survey_type = employee_periods.survey_type
        and changed_theme_periods.employee_id = employee_periods.group_key

)

select * from final
