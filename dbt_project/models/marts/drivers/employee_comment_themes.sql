-- The themes in each employee's own feedback, per period, for coaching: how often each theme comes
-- up in the comments on their work and from whom. Restricted (names employees; not published).
with

comment_theme_mentions as (

    select * from {{ ref('comment_theme_mentions') }}
    where employee_id is not null

),

employee_periods as (

    select * from {{ ref('int_nps_periods') }}
    where grouping = 'employee'

),

daily_theme_counts as (

    select
        responded_date,
        survey_type,
        employee_id,
        theme,
        {{ nps_category_counts() }}

    from comment_theme_mentions
    group by responded_date, survey_type, employee_id, theme

),

theme_periods as (

    {{ aggregate_to_periods('daily_theme_counts', ['survey_type', 'employee_id', 'theme']) }}

),

final as (

    select
        theme_periods.period_grain,
        theme_periods.period_start,
        theme_periods.survey_type,
        theme_periods.employee_id,
        theme_periods.theme,
        theme_periods.responses as mentions,
        theme_periods.promoters as promoter_mentions,
        theme_periods.passives as passive_mentions,
        theme_periods.detractors as detractor_mentions,
        employee_periods.responses as employee_responses,
        cast(theme_periods.responses as double precision)
            / nullif(employee_periods.responses, 0) as share_of_responses

    from theme_periods
    inner join employee_periods
        on theme_periods.period_grain = employee_periods.period_grain
        and theme_periods.period_start = employee_periods.period_start
        and theme_periods.survey_type = employee_periods.survey_type
        and theme_periods.employee_id = employee_periods.group_key

)

select * from final
