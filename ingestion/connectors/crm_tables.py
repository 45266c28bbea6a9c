"""Raw table layouts of the CRM connectors (HubSpot, Salesforce): the vendor's field names for
standard fields; the custom fields that carry our customer data under fixed names."""
from __future__ import annotations

from ingestion.raw_tables import RawTable

TIMESTAMP = "timestamp with time zone"

HUBSPOT_TABLES = {
    "companies": RawTable(
        name="hubspot__companies",
        key=("id",),
        columns={
            "id": "varchar",
            "customer_id": "varchar",  # custom company property (config: properties.customer_id)
            "name": "varchar",
            "customer_type": "varchar",
            "numberofemployees": "integer",
            "product": "varchar",
            "region": "varchar",
            "createdate": TIMESTAMP,
            "churned_at": TIMESTAMP,
            "hs_lastmodifieddate": TIMESTAMP,
        },
    ),
    "contacts": RawTable(
        name="hubspot__contacts",
        key=("id",),
        columns={
            "id": "varchar",
            "company_id": "varchar",  # from the contact -> company association
            "email": "varchar",
            "firstname": "varchar",
            "lastname": "varchar",
            "phone": "varchar",
            "createdate": TIMESTAMP,
            "lastmodifieddate": TIMESTAMP,
        },
    ),
    "deals": RawTable(
        name="hubspot__deals",
        key=("id",),
        columns={
            "id": "varchar",
            "company_id": "varchar",  # from the deal -> company association
            "dealname": "varchar",
            "product": "varchar",
            "amount": "double precision",
            "dealstage": "varchar",
            "hs_is_closed_won": "boolean",
            "closedate": TIMESTAMP,
            "createdate": TIMESTAMP,
            "hs_lastmodifieddate": TIMESTAMP,
        },
    ),
    # Engagements: the follow-up activity staff log on a customer (detractor follow-up status).
    "tasks": RawTable(
        name="hubspot__tasks",
        key=("id",),
        columns={
            "id": "varchar",
            "company_id": "varchar",  # from the task -> company association
            "hs_task_subject": "varchar",
            "hs_task_status": "varchar",  # NOT_STARTED, IN_PROGRESS, WAITING, COMPLETED, DEFERRED
            "hs_timestamp": TIMESTAMP,  # the task's due time
            "hs_task_completion_date": TIMESTAMP,
            "createdate": TIMESTAMP,
            "hs_lastmodifieddate": TIMESTAMP,
        },
    ),
    "notes": RawTable(
        name="hubspot__notes",
        key=("id",),
        columns={
            "id": "varchar",
            "company_id": "varchar",  # from the note -> company association
            "hs_timestamp": TIMESTAMP,  # when the activity the note records took place
            "createdate": TIMESTAMP,
            "hs_lastmodifieddate": TIMESTAMP,
        },
    ),
}

SALESFORCE_TABLES = {
    "accounts": RawTable(
        name="salesforce__accounts",
        key=("id",),
        columns={
            "id": "varchar",
            "customer_number": "varchar",  # custom field (config: fields.customer_number)
            "name": "varchar",
            "customer_type": "varchar",
            "numberofemployees": "integer",
            "product": "varchar",
            "region": "varchar",
            "createddate": TIMESTAMP,
            "churned_at": TIMESTAMP,
            "systemmodstamp": TIMESTAMP,
        },
    ),
    "contacts": RawTable(
        name="salesforce__contacts",
        key=("id",),
        columns={
            "id": "varchar",
            "accountid": "varchar",
            "email": "varchar",
            "firstname": "varchar",
            "lastname": "varchar",
            "phone": "varchar",
            "createddate": TIMESTAMP,
            "systemmodstamp": TIMESTAMP,
        },
    ),
    "opportunities": RawTable(
        name="salesforce__opportunities",
        key=("id",),
        columns={
            "id": "varchar",
            "accountid": "varchar",
            "name": "varchar",
            "product": "varchar",
            "amount": "double precision",
            "stagename": "varchar",
            "iswon": "boolean",
            "closedate": "date",
            "createddate": TIMESTAMP,
            "systemmodstamp": TIMESTAMP,
        },
    ),    "tasks": RawTable(
        name="salesforce__tasks",
        key=("id",),
        columns={
            "id": "varchar",
            "accountid": "varchar",  # the account the task is (indirectly) about
            "whoid": "varchar",  # contact or lead
            "subject": "varchar",
            "status": "varchar",
            "isclosed": "boolean",
            "activitydate": "date",  # due date
            "completeddatetime": TIMESTAMP,
            "createddate": TIMESTAMP,
            "systemmodstamp": TIMESTAMP,
        },
    ),
}
