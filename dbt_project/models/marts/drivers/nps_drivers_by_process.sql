-- What drives each process's NPS: per process, period, survey type and comment theme, how often the
-- theme is mentioned, by whom, the NPS of the responses that mention it, and the NPS points the
-- process would gain if the detractors mentioning it became passives.
with

comment_theme_mentions as (

    select * from {{ ref('comment_theme_mentions') }}
    where process is not null

),

process_periods as (

    select * from {{ ref('int_nps_periods') }}
    where grouping = 'process'

),

daily_theme_counts as (

    select
        responded_date,
        survey_type,
        process,
        theme,
        {{ nps_category_counts() }}

    from comment_theme_mentions
    group by responded_date, survey_type, process, theme

),

theme_periods as (

    {{ aggregate_to_periods('daily_theme_counts', ['survey_type', 'process', 'theme']) }}

),

measured as (

    select
        theme_periods.period_grain,
        theme_periods.period_start,
        theme_periods.survey_type,
        theme_periods.process,
        theme_periods.theme,
        theme_periods.responses as mentions,
        theme_periods.promoters as promoter_mentions,
        theme_periods.passives as passive_mentions,
        theme_periods.detractors as detractor_mentions,
        process_periods.responses as process_responses,
        process_periods.promoters as process_promoters,
        process_periods.detractors as process_detractors,
        process_periods.nps as process_nps,
        cast(theme_periods.detractors as double precision)
            / nullif(process_periods.detractors, 0) as share_of_detractors,
        cast(theme_periods.promoters as double precision)
            / nullif(process_periods.promoters, 0) as share_of_promoters,
        {{ nps('theme_periods.promoters', 'theme_periods.detractors', 'theme_periods.responses') }}
            as nps_of_mentions,
        -- A detractor who becomes a passive leaves promoters and responses as they are and removes
        -- one detractor: NPS rises by 100 / responses for each.
        100.0 * cast(theme_periods.detractors as double precision) / nullif(process_periods.responses, 0)
            as nps_gain_if_detractors_passive

    from theme_periods
    inner join process_periods
        on theme_periods.period_grain = process_periods.period_grain
        and theme_periods.period_start = process_periods.period_start
        and theme_periods.survey_type = process_periods.survey_type
        and theme_periods.process = process_periods.group_key

),

final as (

    select
        *,
        row_number() over (
            partition by period_grain, period_start, survey_type, process
            order by nps_gain_if_detractors_passive desc, theme
        ) as gain_rank

    from measured

)

select * from final
