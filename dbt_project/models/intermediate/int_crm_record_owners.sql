{{
    config(
        materialized='incremental',
        unique_key=['source_name', 'record_type', 'crm_record_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

-- Every CRM record a customer model reads (accounts, deals, tasks, notes) with the customer it
-- belongs to now (its account's) and, when a run gave it to another customer, the one it was taken
-- from. The customer models find what changed for whom here: the customers (and previous customers)
-- of the records landed since their last run, instead of recounting every customer's records.
--
-- Incremental (delete+insert by source, type and record): a run rewrites the records landed since
-- the last run and the stored records of an account landed under another customer number. loaded_at
-- stays the record's own: the account's row, landed with it, names both customers of the move. A
-- record leaves the raw tables only when a customer is erased, which rebuilds every model in full.
with

crm_accounts as {{ not_materialized() }} (

    select * from {{ ref('int_crm_accounts') }}

),

hubspot_deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

hubspot_tasks as (

    select * from {{ ref('stg_hubspot__tasks') }}

),

hubspot_notes as (

    select * from {{ ref('stg_hubspot__notes') }}

),

salesforce_tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

records as {{ not_materialized() }} (

    select source_name, crm_system, 'account' as record_type, crm_account_id as crm_record_id, crm_account_id, loaded_at
    from crm_accounts
    union all
    select source_name, crm_system, 'deal' as record_type, crm_deal_id as crm_record_id, crm_account_id, loaded_at
    from hubspot_deals
    union all
    select source_name, crm_system, 'deal' as record_type, crm_deal_id as crm_record_id, crm_account_id, loaded_at
    from salesforce_opportunities
    union all
    select source_name, crm_system, 'task' as record_type, crm_activity_id as crm_record_id, crm_account_id, loaded_at
    from hubspot_tasks
    union all
    select source_name, crm_system, 'note' as record_type, crm_activity_id as crm_record_id, crm_account_id, loaded_at
    from hubspot_notes
    union all
    select source_name, crm_system, 'task' as record_type, crm_activity_id as crm_record_id, crm_account_id, loaded_at
    from salesforce_tasks

),

{% if is_incremental() %}
stored_owners as {{ not_materialized() }} (

    select * from {{ this }}

),

landed_records as {{ not_materialized() }} (

    select * from records
    where loaded_at > {{ watermark('loaded_at') }}

),

landed_accounts as (

    select * from crm_accounts
    where loaded_at > {{ watermark('loaded_at') }}

),

-- What landed, and the stored records of an account that landed under another customer number
-- (corrected, or a new account for records that landed before it) without landing themselves.
records_to_build as (

    select * from landed_records

    union all

    select
        stored_owners.source_name,
        stored_owners.crm_system,
        stored_owners.record_type,
        stored_owners.crm_record_id,
        stored_owners.crm_account_id,
        stored_owners.loaded_at

    from stored_owners
    inner join landed_accounts
        on stored_owners.source_name = landed_accounts.source_name
        and stored_owners.crm_system = landed_accounts.crm_system
        and stored_owners.crm_account_id = landed_accounts.crm_account_id
    where stored_owners.record_type <> 'account'
        and stored_owners.customer_id is distinct from landed_accounts.customer_id
        and not exists (
            select 1 from landed_records
            where landed_records.source_name = stored_owners.source_name
                and landed_records.record_type = stored_owners.record_type
                and landed_records.crm_record_id = stored_owners.crm_record_id
        )

),
{% else %}
records_to_build as (

    select * from records

),
{% endif %}

owned as (

    select
        records_to_build.source_name,
        records_to_build.crm_system,
        records_to_build.record_type,
        records_to_build.crm_record_id,
        records_to_build.crm_account_id,
        crm_accounts.customer_id,
        records_to_build.loaded_at

    from records_to_build
    left join crm_accounts
        on records_to_build.source_name = crm_accounts.source_name
        and records_to_build.crm_system = crm_accounts.crm_system
        and records_to_build.crm_account_id = crm_accounts.crm_account_id

),

final as (

    select
        owned.source_name,
        owned.crm_system,
        owned.record_type,
        owned.crm_record_id,
        owned.crm_account_id,
        owned.customer_id,
        {% if is_incremental() -%}
        case
            when stored_owners.customer_id is distinct from owned.customer_id then stored_owners.customer_id
        end as previous_customer_id,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as previous_customer_id,
        {%- endif %}
        owned.loaded_at,
        cast('{{ run_started_at.isoformat() }}' as timestamp with time zone) as built_at

    from owned
    {% if is_incremental() -%}
    left join stored_owners
        on owned.source_name = stored_owners.source_name
        and owned.record_type = stored_owners.record_type
        and owned.crm_record_id = stored_owners.crm_record_id
    {%- endif %}

)

select * from final
