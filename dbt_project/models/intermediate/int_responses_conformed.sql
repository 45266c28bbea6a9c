{{
    config(
        materialized='incremental',
        unique_key='response_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ delete_backfill_window('responded_date') }}",
    )
}}
{{ assert_reporting_timezone_unchanged(this) }}

-- Every valid survey response from every source at one grain: one row per response, deduplicated
-- across sources and resolved to its CRM customer. Incremental: a run conforms what was landed since
-- the last run, and re-resolves earlier unmatched responses that the CRM now identifies. A backfill
-- (vars window_start, window_end) rebuilds every response answered on the window's days as well.
--
-- Deduplication: copies of one answer that arrive through more than one source (a tool's API and a
-- CSV export of it) share response_key - the same respondent (CRM id as given, else normalised
-- e-mail), survey type and answer time to the second. The most recently landed copy wins. Responses
-- without any respondent identity are never merged (their key is the source and its response id).
--
-- Identity: CRM id first (our customer number, else a CRM account id), else the normalised e-mail
-- of a CRM contact. Unmatched responses are kept, with customer_id null.
with

csv_responses as (

    select * from {{ ref('stg_csv__responses') }}

),

qualtrics_responses as (

    select * from {{ ref('stg_qualtrics__responses') }}

),

surveymonkey_responses as (

    select * from {{ ref('stg_surveymonkey__responses') }}

),

typeform_responses as (

    select * from {{ ref('stg_typeform__responses') }}

),

delighted_responses as (

    select * from {{ ref('stg_delighted__responses') }}

),

unioned as (

    select * from csv_responses
    union all
    select * from qualtrics_responses
    union all
    select * from surveymonkey_responses
    union all
    select * from typeform_responses
    union all
    select * from delighted_responses

),

customer_identifiers as (

    select * from {{ ref('int_customer_identifiers') }}

),

landed_since_last_run as (

    select * from unioned
    {% if is_incremental() %}
    where loaded_at > (
        select coalesce(max(loaded_at), cast('1900-01-01' as timestamp with time zone)) from {{ this }}
    )
        {% if backfill_window_given() %}
        or {{ in_backfill_window(local_date('responded_at')) }}
        {% endif %}
    {% endif %}

),

normalized as (

    select
        md5(source_name || ':' || source_response_id) as response_id,
        source_name,
        source_type,
        source_response_id,
        responded_at,
        score,
        comment,
        {{ normalized_id('crm_customer_id') }} as crm_customer_id,
        {{ normalized_email('customer_email') }} as customer_email_normalized,
        product,
        process,
        employee_id,
        survey_type,
        channel,
        language,
        loaded_at

    from landed_since_last_run

),

keyed as (

    select
        case
            when coalesce(crm_customer_id, customer_email_normalized) is null
                then md5('source:' || source_name || ':' || source_response_id)
            else md5(
                'respondent:' || coalesce(crm_customer_id, customer_email_normalized)
                || ':' || survey_type
                || ':' || cast(cast(floor(extract(epoch from responded_at)) as bigint) as {{ dbt.type_string() }})
            )
        end as response_key,
        *

    from normalized

),

{% if is_incremental() %}
-- Responses conformed earlier without a customer whose CRM id or e-mail the CRM now knows.
newly_identifiable as (

    select
        response_key,
        response_id,
        source_name,
        source_type,
        source_response_id,
        responded_at,
        score,
        comment,
        crm_customer_id,
        customer_email_normalized,
        product,
        process,
        employee_id,
        survey_type,
        channel,
        language,
        loaded_at

    from {{ this }} as conformed
    where not conformed.has_matched_customer
        and conformed.response_key not in (select response_key from keyed)
        -- two lookups rather than one `identifier in (crm id, e-mail)`: an OR inside the join
        -- condition compares every unmatched response with every identifier
        and (
            conformed.crm_customer_id in (select identifier from customer_identifiers)
            or conformed.customer_email_normalized in (select identifier from customer_identifiers)
        )

),

candidates as (

    select * from keyed
    union all
    select * from newly_identifiable

),
{% else %}
candidates as (

    select * from keyed

),
{% endif %}

ranked_copies as (

    select
        *,
        row_number() over (
            partition by response_key
            order by loaded_at desc, source_name, source_response_id
        ) as copy_rank

    from candidates

),

deduplicated as (

    select * from ranked_copies
    where copy_rank = 1

),

identified as (

    select
        deduplicated.*,
        coalesce(
            by_customer_number.customer_id,
            by_account_id.customer_id,
            by_email.customer_id
        ) as customer_id,
        case
            when by_customer_number.customer_id is not null then 'customer_id'
            when by_account_id.customer_id is not null then 'crm_account_id'
            when by_email.customer_id is not null then 'email'
        end as matched_on

    from deduplicated
    left join customer_identifiers as by_customer_number
        on by_customer_number.identifier_type = 'customer_id'
        and by_customer_number.identifier = deduplicated.crm_customer_id
    left join customer_identifiers as by_account_id
        on by_account_id.identifier_type = 'crm_account_id'
        and by_account_id.identifier = deduplicated.crm_customer_id
    left join customer_identifiers as by_email
        on by_email.identifier_type = 'email'
        and by_email.identifier = deduplicated.customer_email_normalized

),

final as (

    select
        response_key,
        response_id,
        source_name,
        source_type,
        source_response_id,
        responded_at,
        {{ local_date('responded_at') }} as responded_date,
        '{{ var("reporting_timezone") }}' as reporting_timezone,
        score,
        {{ nps_category('score') }} as nps_category,
        comment,
        crm_customer_id,
        customer_email_normalized,
        customer_id,
        customer_id is not null as has_matched_customer,
        matched_on,
        product,
        process,
        employee_id,
        survey_type,
        channel,
        language,
        loaded_at,
        cast('{{ run_started_at.isoformat() }}' as timestamp with time zone) as conformed_at

    from identified

)

select * from final
