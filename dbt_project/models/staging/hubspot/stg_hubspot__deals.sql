with

source as (

    select * from {{ source('hubspot', 'deals') }}

),

renamed as (

    select
        _source as source_name,
        'hubspot' as crm_system,
        id as crm_deal_id,
        company_id as crm_account_id,
        product,
        cast(amount as double precision) as amount,
        dealstage as stage,
        cast(hs_is_closed_won as boolean) as is_won,
        cast(closedate as timestamp with time zone) as closed_at,
        cast(createdate as timestamp with time zone) as created_at,
        cast(hs_lastmodifieddate as timestamp with time zone) as updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
