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
-- A rating conformed again may now belong to someone else (the CRM's identifiers changed): the run
-- keeps the customer it replaces as previous_customer_id, so the customer models downstream find the
-- customer who lost it among the ratings conformed since their last run, without recounting every
-- customer's ratings.
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

{% if is_incremental() %}
replaced_ratings as (

    select response_key, customer_id
    from {{ this }}
    where response_key in (select response_key from conformed_responses)

),
{% endif %}

final as (

    select
        conformed_responses.response_key,
        response_id,
        conformed_responses.customer_id,
        {% if is_incremental() -%}
        case
            when replaced_ratings.customer_id is distinct from conformed_responses.customer_id
                then replaced_ratings.customer_id
        end
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as previous_customer_id,
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
    {% if is_incremental() -%}
    left join replaced_ratings
        on conformed_responses.response_key = replaced_ratings.response_key
    {%- endif %}

)

select * from final
