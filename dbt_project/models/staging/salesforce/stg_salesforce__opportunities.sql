with

source as (

    select * from {{ source('salesforce', 'opportunities') }}

),

renamed as (

    select
        _source as source_name,
        'salesforce' as crm_system,
        id as crm_deal_id,
        accountid as crm_account_id,
        product,
        cast(amount as double precision) as amount,
        stagename as stage,
        cast(iswon as boolean) as is_won,
        cast(closedate as timestamp with time zone) as closed_at,
        cast(createddate as timestamp with time zone) as created_at,
        cast(systemmodstamp as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
