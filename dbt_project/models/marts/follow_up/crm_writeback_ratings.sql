-- What the CRM write-back sends: every CRM account and contact of a rated customer, per source, with
-- the customer's latest rating. A customer both CRMs hold appears once per CRM.
with

customers as (

    select * from {{ ref('customers') }}
    where latest_score is not null

),

crm_accounts as (

    select * from {{ ref('int_crm_accounts') }}

),

crm_contacts as (

    select * from {{ ref('int_crm_contacts') }}

),

crm_objects as (

    select source_name, crm_system, 'account' as object_type, crm_account_id as crm_object_id, customer_id
    from crm_accounts
    union all
    select source_name, crm_system, 'contact' as object_type, crm_contact_id as crm_object_id, customer_id
    from crm_contacts

),

final as (

    select
        crm_objects.source_name,
        crm_objects.crm_system,
        crm_objects.object_type,
        crm_objects.crm_object_id,
        crm_objects.customer_id,
        customers.latest_score,
        customers.latest_nps_category,
        customers.last_rated_at

    from crm_objects
    inner join customers
        on crm_objects.customer_id = customers.customer_id

)

select * from final
