-- Every process (touchpoint) the responses name, with its responses and employees.
with

daily_counts as (

    select * from {{ ref('int_nps_daily_counts') }}

),

employee_processes as (

    select * from {{ ref('int_employee_processes') }}

),

response_processes as (

    select
        process,
        sum(responses) as responses,
        min(responded_date) as first_responded_date,
        max(responded_date) as last_responded_date

    from daily_counts
    where process is not null
    group by process

),

process_employees as (

    select
        process,
        count(*) as employees

    from employee_processes
    group by process

),

final as (

    select
        response_processes.process,
        cast(response_processes.responses as {{ dbt.type_int() }}) as responses,
        cast(coalesce(process_employees.employees, 0) as {{ dbt.type_int() }}) as employees,
        response_processes.first_responded_date,
        response_processes.last_responded_date

    from response_processes
    left join process_employees
        on response_processes.process = process_employees.process

)

select * from final
