with

source as (

    select * from {{ source('hubspot', 'tasks') }}

),

renamed as (

    select
        _source as source_name,
        'hubspot' as crm_system,
        id as crm_activity_id,
        company_id as crm_account_id,
        hs_task_subject as subject,
        hs_task_status as status,
        hs_task_status = 'COMPLETED' as is_completed,
        cast(hs_timestamp as timestamp with time zone) as due_at,
        cast(hs_task_completion_date as timestamp with time zone) as completed_at,
        cast(createdate as timestamp with time zone) as created_at,
        cast(hs_lastmodifieddate as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
