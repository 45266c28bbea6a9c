-- NPS per employee, with nps_shrunk: an empirical-Bayes estimate that pulls an employee's NPS toward
-- the NPS of their process in the same period, the more the fewer answers they have (method in
-- _nps__models.yml). Employees are compared within their process, never on a handful of answers.
{{ nps_mart_config() }}

with

employee_processes as (

    select * from {{ ref('int_employee_processes') }}

),

target_ranges as (

    select * from {{ ref('int_nps_target_ranges') }}
    where target_scope = 'process'

),

{%- if is_incremental() %}

-- Stored periods whose target moved, or where an employee's process moved (their process pool and
-- every colleague's shrunk NPS move with it).
stale_periods as (

    {{ periods_with_stale_targets('target_ranges', 'process') }}

    union

    select distinct stored.period_grain, stored.period_start
    from {{ this }} as stored
    left join employee_processes
        on stored.employee_id = employee_processes.employee_id
    where stored.process is distinct from employee_processes.process

),
{%- endif %}

periods as (

    select * from {{ ref('int_nps_periods') }} as periods
    where periods.grouping = 'employee'
        and {{ period_is_rebuilt('periods', 'stale_periods') }}

),

employee_periods as (

    select
        periods.*,
        periods.group_key as employee_id,
        employee_processes.process

    from periods
    left join employee_processes
        on periods.group_key = employee_processes.employee_id

),

-- Per process and period: N responses over J employees, the pooled NPS (mu) and the within-employee
-- sum of squares, sum_i 100^2 * (P_i + D_i - (P_i - D_i)^2 / n_i), in NPS points squared.
process_pools as (

    select
        period_grain,
        period_start,
        survey_type,
        process,
        sum(responses) as pool_responses,
        count(*) as pool_employees,
        sum(cast(responses as double precision) * responses) as pool_responses_squared,
        {{ nps('sum(promoters)', 'sum(detractors)', 'sum(responses)') }} as pool_nps,
        sum(
            10000.0 * (
                promoters + detractors
                - power(cast(promoters - detractors as double precision), 2) / responses
            )
        ) as within_sum_of_squares

    from employee_periods
    where process is not null
    group by period_grain, period_start, survey_type, process

),

between_employees as (

    select
        process_pools.*,
        sum(employee_periods.responses * power(employee_periods.nps - process_pools.pool_nps, 2))
            over (
                partition by
                    process_pools.period_grain,
                    process_pools.period_start,
                    process_pools.survey_type,
                    process_pools.process
            ) as between_sum_of_squares,
        employee_periods.employee_id

    from process_pools
    inner join employee_periods
        on process_pools.period_grain = employee_periods.period_grain
        and process_pools.period_start = employee_periods.period_start
        and process_pools.survey_type = employee_periods.survey_type
        and process_pools.process = employee_periods.process

),

-- sigma^2: variance of one answer around its employee's NPS (pooled within employees; when every
-- employee has a single answer, the total variance). tau^2: variance of the employees' true NPS
-- around the process NPS, by the method of moments for unequal group sizes, floored at 0.
response_variances as (

    select
        *,
        coalesce(
            within_sum_of_squares / nullif(pool_responses - pool_employees, 0),
            (within_sum_of_squares + between_sum_of_squares) / nullif(pool_responses - 1, 0)
        ) as response_variance

    from between_employees

),

variance_components as (

    select
        *,
        case
            when (between_sum_of_squares - (pool_employees - 1) * response_variance)
                / nullif(pool_responses - pool_responses_squared / pool_responses, 0) > 0
                then (between_sum_of_squares - (pool_employees - 1) * response_variance)
                    / nullif(pool_responses - pool_responses_squared / pool_responses, 0)
            else 0
        end as between_employee_variance

    from response_variances

),

shrinkage_weights as (

    select
        employee_periods.period_grain,
        employee_periods.period_start,
        employee_periods.survey_type,
        employee_periods.employee_id,
        employee_periods.nps,
        variance_components.pool_nps,
        coalesce(
            variance_components.between_employee_variance
                / nullif(
                    variance_components.between_employee_variance
                    + variance_components.response_variance / employee_periods.responses,
                    0
                ),
            0
        ) as shrinkage_weight

    from employee_periods
    inner join variance_components
        on employee_periods.period_grain = variance_components.period_grain
        and employee_periods.period_start = variance_components.period_start
        and employee_periods.survey_type = variance_components.survey_type
        and employee_periods.employee_id = variance_components.employee_id

),

-- A weighted mean of the employee's and the process NPS, clipped so rounding never leaves -100..100.
shrunk as (

    select
        period_grain,
        period_start,
        survey_type,
        employee_id,
        greatest(-100.0, least(100.0,
            (1 - shrinkage_weight) * pool_nps + shrinkage_weight * nps
        )) as nps_shrunk

    from shrinkage_weights

),

final as (

    select
        employee_periods.period_grain,
        employee_periods.period_start,
        employee_periods.survey_type,
        employee_periods.employee_id,
        employee_periods.process,
        {{ nps_period_measures('employee_periods') }},
        shrunk.nps_shrunk,
        target_ranges.target_nps,
        target_ranges.target_date,
        target_ranges.target_nps - employee_periods.nps as gap_to_target,
        employee_periods.built_at

    from employee_periods
    left join shrunk
        on employee_periods.period_grain = shrunk.period_grain
        and employee_periods.period_start = shrunk.period_start
        and employee_periods.survey_type = shrunk.survey_type
        and employee_periods.employee_id = shrunk.employee_id
    left join target_ranges
        on employee_periods.period_start between target_ranges.valid_from and target_ranges.valid_until
        and employee_periods.process = target_ranges.target_key

)

select * from final
