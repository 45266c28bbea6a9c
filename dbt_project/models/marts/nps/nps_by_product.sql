with

responses as (

    select * from {{ ref('int_responses_conformed') }}

),

aggregated as (

    {{ aggregate_nps('responses', ['product']) }}

),

final as (

    select
        period_grain,
        period_start,
        survey_type,
        product,
        responses,
        promoters,
        passives,
        detractors,
        {{ nps_statistics() }}

    from aggregated

)

select * from final
