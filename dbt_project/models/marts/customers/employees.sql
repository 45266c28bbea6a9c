-- Every employee the responses name, with their process and responses.
with

daily_counts as (

    select * from {{ ref('int_nps_daily_counts') }}

),

employee_processes as (

    select * from {{ ref('int_employee_processes') }}

),

response_employees as (

    select
        employee_id,
        sum(responses) as responses,
        count(distinct process) as processes,
        min(responded_date) as first_responded_date,
        max(responded_date) as last_responded_date

    from daily_counts
    where employee_id is not null
    group by employee_id

),

final as (

    select
        response_employees.employee_id,
        employee_processes.process,
        cast(response_employees.responses as {{ dbt.type_int() }}) as responses,
        cast(response_employees.processes as {{ dbt.type_int() }}) as processes,
        response_employees.first_responded_date,
        response_employees.last_responded_date

    from response_employees
    left join employee_processes
        on response_employees.employee_id = employee_processes.employee_id

)

select * from final
