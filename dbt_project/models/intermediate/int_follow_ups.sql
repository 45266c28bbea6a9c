{%- set sla_hours = var('follow_up_sla_hours') -%}
{{
    config(
        materialized='incremental',
        unique_key='response_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_backfill_window('responded_date') }}",
            "{{ delete_reconformed_responses() }}",
        ],
    )
}}
{{ assert_follow_up_settings_unchanged(this) }}

-- Every response that needs a follow-up (detractors; var follow_up_categories), with its customer, due
-- time (SLA hours per survey type, var follow_up_sla_hours) and the CRM activity logged on the
-- customer's account after the response: the first follow-up done (a completed task or a note) and
-- how many were logged. Customers' yearly revenue decides which new detractors are alerted. Nothing
-- here depends on the clock: the status (open / overdue / done at a moment) is detractor_follow_up's.
--
-- Incremental: a run recomputes the responses conformed since the last run (their earlier rows go
-- first), every response of a backfill's days, and every response of a customer whose CRM records
-- may have changed: an account, activity or deal of theirs landed since the last run, or one taken
-- from them (int_crm_record_owners: a new or changed record, one moved to or away from them, a deal
-- no longer won). Rows keep the vars they were computed with (categories, SLA hours, alert
-- revenue): changing one needs a full refresh.
with

conformed_responses as (

    select * from {{ ref('int_responses_conformed') }}

),

crm_customers as (

    select * from {{ ref('int_crm_customers') }}

),

crm_accounts as (

    select * from {{ ref('int_crm_accounts') }}

),

hubspot_tasks as (

    select * from {{ ref('stg_hubspot__tasks') }}

),

hubspot_notes as (

    select * from {{ ref('stg_hubspot__notes') }}

),

salesforce_tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

customer_won_deals as (

    select * from {{ ref('int_customer_won_deals') }}

),

-- A follow-up is done when a task is completed or a note is logged (a note records contact made).
activities as (

    select
        source_name, crm_system, crm_account_id, 'task' as activity_type, created_at,
        case when is_completed then coalesce(completed_at, updated_at) end as done_at, loaded_at
    from hubspot_tasks
    union all
    select
        source_name, crm_system, crm_account_id, 'note' as activity_type, created_at,
        coalesce(occurred_at, created_at) as done_at, loaded_at
    from hubspot_notes
    union all
    select
        source_name, crm_system, crm_account_id, 'task' as activity_type, created_at,
        case when is_completed then coalesce(completed_at, updated_at) end as done_at, loaded_at
    from salesforce_tasks

),

customer_activities as (

    select
        crm_accounts.customer_id,
        activities.activity_type,
        activities.created_at,
        activities.done_at,
        activities.loaded_at

    from activities
    inner join crm_accounts
        on activities.source_name = crm_accounts.source_name
        and activities.crm_account_id = crm_accounts.crm_account_id
    where crm_accounts.customer_id is not null

),

-- A deal both CRMs hold counts once (is_counted).
won_deals as (

    select
        customer_id,
        amount,
        closed_date

    from customer_won_deals
    where is_counted

),

crm_record_owners as {{ not_materialized() }} (

    select * from {{ ref('int_crm_record_owners') }}

),

{% if is_incremental() %}
-- The CRM records landed since the last run: their customers, and those they were taken from.
crm_changed as (

    {{ customers_of_landed_records('crm_record_owners', 'crm_loaded_at') }}

),
{% endif %}

needing_follow_up as (

    select
        *,
        case survey_type
            {%- for survey_type, hours in sla_hours.items() %}
            when '{{ survey_type }}' then {{ hours }}
            {%- endfor %}
            else 48
        end as sla_hours

    from conformed_responses
    where nps_category in (
        {%- for category in var('follow_up_categories') %}'{{ category }}'{{ ", " if not loop.last }}{% endfor -%}
    )
    {% if is_incremental() %}
        and (
            conformed_at > {{ watermark('conformed_at') }}
            or customer_id in (select customer_id from crm_changed)
            {% if backfill_window_given() %}
            or {{ in_backfill_window('responded_date') }}
            {% endif %}
        )
    {% endif %}

),

-- The latest landing among the customer's CRM records: the watermark of crm_changed.
customer_crm_loads as (

    select
        customer_id,
        max(loaded_at) as crm_loaded_at

    from crm_record_owners
    where customer_id in (select customer_id from needing_follow_up)
    group by customer_id

),

follow_ups as (

    select
        needing_follow_up.response_id,
        min(customer_activities.done_at) as followed_up_at,
        cast(count(customer_activities.created_at) as {{ dbt.type_int() }}) as activities_logged

    from needing_follow_up
    inner join customer_activities
        on needing_follow_up.customer_id = customer_activities.customer_id
        and customer_activities.created_at >= needing_follow_up.responded_at
    group by needing_follow_up.response_id

),

revenues as (

    select
        needing_follow_up.response_id,
        sum(won_deals.amount) as revenue_last_12_months

    from needing_follow_up
    inner join won_deals
        on needing_follow_up.customer_id = won_deals.customer_id
        and won_deals.closed_date > cast(needing_follow_up.responded_at - interval '365 days' as date)
        and won_deals.closed_date <= cast(needing_follow_up.responded_at as date)
    group by needing_follow_up.response_id

),

final as (

    select
        needing_follow_up.response_key,
        needing_follow_up.response_id,
        needing_follow_up.customer_id,
        crm_customers.crm_system,
        crm_customers.crm_account_id,
        crm_customers.account_name,
        crm_customers.customer_type,
        coalesce(revenues.revenue_last_12_months, 0) as revenue_last_12_months,
        needing_follow_up.source_name,
        needing_follow_up.survey_type,
        needing_follow_up.product,
        needing_follow_up.process,
        needing_follow_up.employee_id,
        needing_follow_up.score,
        needing_follow_up.nps_category,
        needing_follow_up.comment,
        needing_follow_up.responded_at,
        needing_follow_up.responded_date,
        needing_follow_up.sla_hours,
        needing_follow_up.responded_at + needing_follow_up.sla_hours * interval '1 hour' as due_at,
        follow_ups.followed_up_at,
        coalesce(follow_ups.activities_logged, 0) as activities_logged,
        coalesce(follow_ups.followed_up_at <= needing_follow_up.responded_at
            + needing_follow_up.sla_hours * interval '1 hour', false) as is_followed_up_within_sla,
        cast(
            extract(epoch from follow_ups.followed_up_at) - extract(epoch from needing_follow_up.responded_at)
            as double precision
        ) / 3600.0 as hours_to_follow_up,
        crm_customers.customer_type = 'business'
            and coalesce(revenues.revenue_last_12_months, 0) >= {{ var('follow_up_alert_min_revenue') }}
            as is_alert_worthy,
        customer_crm_loads.crm_loaded_at,
        needing_follow_up.conformed_at,
        '{{ follow_up_settings() }}' as follow_up_settings

    from needing_follow_up
    left join crm_customers
        on needing_follow_up.customer_id = crm_customers.customer_id
    left join follow_ups
        on needing_follow_up.response_id = follow_ups.response_id
    left join revenues
        on needing_follow_up.response_id = revenues.response_id
    left join customer_crm_loads
        on needing_follow_up.customer_id = customer_crm_loads.customer_id

)

select * from final
