{{
    config(
        materialized='incremental',
        unique_key='responded_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_backfill_window('responded_date') }}",
    )
}}

-- Response counts per local day and every dimension the NPS marts group by: the compact cube the
-- marts aggregate, so they never rescan the responses. Incremental: a run recounts only the days that
-- have responses conformed since the last run (every group of such a day is replaced), and every day
-- of a backfill's window.
with

conformed_responses as {{ not_materialized() }} (

    select * from {{ ref('int_responses_conformed') }}

),

crm_customers as {{ not_materialized() }} (

    select * from {{ ref('int_crm_customers') }}

),

changed_responses as (

    select * from conformed_responses
    {% if is_incremental() %}
    where responded_date in (
        select responded_date
        from conformed_responses
        where conformed_at > (
            select coalesce(max(last_conformed_at), cast('1900-01-01' as timestamp with time zone))
            from {{ this }}
        )
    )
        {% if backfill_window_given() %}
        or {{ in_backfill_window('responded_date') }}
        {% endif %}
    {% endif %}

),

segmented as (

    select
        changed_responses.*,
        coalesce(crm_customers.customer_type, 'unknown') as customer_segment

    from changed_responses
    left join crm_customers
        on changed_responses.customer_id = crm_customers.customer_id

),

final as (

    select
        responded_date,
        survey_type,
        product,
        process,
        employee_id,
        customer_segment,
        {{ nps_category_counts() }},
        max(conformed_at) as last_conformed_at

    from segmented
    group by responded_date, survey_type, product, process, employee_id, customer_segment

)

select * from final
