{{
    config(
        materialized='incremental',
        unique_key=['source_name', 'crm_contact_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

-- Every CRM contact with the customer (customer number) of its account and its normalised e-mail.
--
-- Incremental (delete+insert by source and contact): a run recomputes the contacts landed since the
-- last run and the contacts of every account landed since it (its customer number may have
-- changed). A record leaves the raw tables only when a customer is erased, which rebuilds every
-- model in full (nps forget-customer).
with

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

accounts as {{ not_materialized() }} (

    select * from {{ ref('int_crm_accounts') }}

),

unioned as {{ not_materialized() }} (

    select * from hubspot_contacts
    union all
    select * from salesforce_contacts

),

{% if is_incremental() %}
changed_contacts as (

    select unioned.*
    from unioned
    where unioned.loaded_at > {{ watermark('loaded_at') }}
        or exists (
            select 1
            from accounts
            where accounts.source_name = unioned.source_name
                and accounts.crm_account_id = unioned.crm_account_id
                and accounts.loaded_at > {{ watermark('account_loaded_at') }}
        )

),
{% else %}
changed_contacts as (

    select * from unioned

),
{% endif %}

final as (

    select
        changed_contacts.source_name,
        changed_contacts.crm_system,
        changed_contacts.crm_contact_id,
        changed_contacts.crm_account_id,
        accounts.customer_id,
        {{ normalized_email('changed_contacts.email') }} as email_normalized,
        changed_contacts.first_name,
        changed_contacts.last_name,
        changed_contacts.phone,
        changed_contacts.created_at,
        changed_contacts.updated_at,
        changed_contacts.loaded_at,
        accounts.loaded_at as account_loaded_at

    from changed_contacts
    left join accounts
        on changed_contacts.source_name = accounts.source_name
        and changed_contacts.crm_account_id = accounts.crm_account_id

)

select * from final
