-- Every CRM contact with the customer (customer number) of its account and its normalised e-mail.
with

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

accounts as (

    select * from {{ ref('int_crm_accounts') }}

),

unioned as (

    select * from hubspot_contacts
    union all
    select * from salesforce_contacts

),

final as (

    select
        unioned.source_name,
        unioned.crm_system,
        unioned.crm_contact_id,
        unioned.crm_account_id,
        accounts.customer_id,
        {{ normalized_email('unioned.email') }} as email_normalized,
        unioned.first_name,
        unioned.last_name,
        unioned.phone,
        unioned.created_at,
        unioned.updated_at

    from unioned
    left join accounts
        on unioned.source_name = accounts.source_name
        and unioned.crm_account_id = accounts.crm_account_id

)

select * from final
