-- Everything a survey response may carry that identifies a CRM customer, each mapped to one
-- customer number: the customer number itself, each CRM's account id, and contact e-mail addresses.
-- An address shared by contacts of several customers belongs to the most recently updated contact.
with

customers as (

    select * from {{ ref('int_crm_customers') }}

),

accounts as (

    select * from {{ ref('int_crm_accounts') }}

),

contacts as (

    select * from {{ ref('int_crm_contacts') }}

),

customer_numbers as (

    select
        'customer_id' as identifier_type,
        customer_id as identifier,
        customer_id,
        updated_at

    from customers

),

account_ids as (

    select
        'crm_account_id' as identifier_type,
        crm_account_id as identifier,
        customer_id,
        updated_at

    from accounts
    where customer_id is not null

),

emails as (

    select
        'email' as identifier_type,
        email_normalized as identifier,
        customer_id,
        updated_at

    from contacts
    where customer_id is not null and email_normalized is not null

),

unioned as (

    select * from customer_numbers
    union all
    select * from account_ids
    union all
    select * from emails

),

ranked as (

    select
        *,
        row_number() over (
            partition by identifier_type, identifier
            order by updated_at desc, customer_id
        ) as recency_rank

    from unioned

),

final as (

    select
        identifier_type,
        identifier,
        customer_id

    from ranked
    where recency_rank = 1

)

select * from final
