-- Every valid survey response from every source, at one grain, with its NPS category and the
-- local date it falls on in the reporting timezone.
with

csv_responses as (

    select * from {{ ref('stg_csv__responses') }}

),

unioned as (

    select * from csv_responses

),

final as (

    select
        md5(source_name || ':' || source_response_id) as response_id,
        source_name,
        source_type,
        source_response_id,
        responded_at,
        {{ local_date('responded_at') }} as responded_date,
        score,
        {{ nps_category('score') }} as nps_category,
        comment,
        crm_customer_id,
        lower(trim(customer_email)) as customer_email_normalized,
        product,
        process,
        employee_id,
        survey_type,
        channel,
        language,
        loaded_at

    from unioned

)

select * from final
