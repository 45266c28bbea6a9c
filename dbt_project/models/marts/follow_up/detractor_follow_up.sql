{%- set as_of = var('follow_up_as_of', run_started_at.isoformat()) -%}
{{ config(materialized='view') }}

-- The follow-up work list: every response that needs a follow-up (int_follow_ups) with its status at
-- var follow_up_as_of, else when the run started. done: a completed task or a note after the
-- response; overdue: neither, and the due time has passed; open: neither, not yet due. A view: the
-- status is the only thing that changes with the clock alone, and a view judges every row at the
-- build's moment without rewriting the rows (int_follow_ups is incremental).
with

follow_ups as (

    select * from {{ ref('int_follow_ups') }}

),

final as (

    select
        response_id,
        customer_id,
        crm_system,
        crm_account_id,
        account_name,
        customer_type,
        revenue_last_12_months,
        source_name,
        survey_type,
        product,
        process,
        employee_id,
        score,
        nps_category,
        comment,
        responded_at,
        responded_date,
        sla_hours,
        due_at,
        followed_up_at,
        activities_logged,
        cast('{{ as_of }}' as timestamp with time zone) as status_as_of,
        case
            when followed_up_at is not null then 'done'
            when cast('{{ as_of }}' as timestamp with time zone) > due_at then 'overdue'
            else 'open'
        end as follow_up_status,
        is_followed_up_within_sla,
        hours_to_follow_up,
        is_alert_worthy

    from follow_ups

)

select * from final
