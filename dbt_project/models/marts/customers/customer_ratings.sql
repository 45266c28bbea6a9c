{{
    config(
        materialized='incremental',
        unique_key='response_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_backfill_window('responded_date') }}",
    )
}}

-- Every rating with its customer (null when the response matched no CRM customer). Incremental: a run
-- takes the responses conformed since the last run, and a backfill every response of its window's days.
with

conformed_responses as (

    select * from {{ ref('int_responses_conformed') }}
    {% if is_incremental() %}
    where conformed_at > (
        select coalesce(max(conformed_at), cast('1900-01-01' as timestamp with time zone)) from {{ this }}
    )
        {% if backfill_window_given() %}
        or {{ in_backfill_window('responded_date') }}
        {% endif %}
    {% endif %}

),

final as (

    select
        response_key,
        response_id,
        customer_id,
        has_matched_customer,
        source_name,
        source_type,
        survey_type,
        product,
        process,
        employee_id,
        channel,
        language,
        score,
        nps_category,
        comment,
        responded_at,
        responded_date,
        conformed_at

    from conformed_responses

)

select * from final
