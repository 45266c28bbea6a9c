with

source as (

    select * from {{ source('salesforce', 'tasks') }}

),

renamed as (

    select
        _source as source_name,
        'salesforce' as crm_system,
        id as crm_activity_id,
        accountid as crm_account_id,
        whoid as crm_contact_id,
        subject,
        status,
        cast(isclosed as boolean) as is_completed,
        cast(activitydate as date) as due_date,
        cast(completeddatetime as timestamp with time zone) as completed_at,
        cast(createddate as timestamp with time zone) as created_at,
        cast(systemmodstamp as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
