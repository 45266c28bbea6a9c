with

source as (

    select * from {{ source('delighted', 'responses') }}

),

renamed as (

    select
        _source as source_name,
        'delighted' as source_type,
        response_id as source_response_id,
        cast(responded_at as timestamp with time zone) as responded_at,
        cast(score as integer) as score,
        comment,
        customer_id as crm_customer_id,
        customer_email,
        product,
        process,
        employee_id,
        survey_type,
        channel,
        language,
        _loaded_at as loaded_at

    from source

)

select * from renamed
