-- Each employee's process: the one most of their responses came through (ties: alphabetical).
-- Employees without any response that names a process are left out.
with

daily_counts as (

    select * from {{ ref('int_nps_daily_counts') }}

),

per_process as (

    select
        employee_id,
        process,
        sum(responses) as responses

    from daily_counts
    where employee_id is not null and process is not null
    group by employee_id, process

),

ranked as (

    select
        *,
        row_number() over (partition by employee_id order by responses desc, process) as process_rank

    from per_process

),

final as (

    select
        employee_id,
        process

    from ranked
    where process_rank = 1

)

select * from final
