"""Salesforce (REST API): Accounts, Contacts, Opportunities and Tasks through SOQL `query`.

Each object is read with `SELECT ... ORDER BY SystemModstamp, Id`, filtered on
`SystemModstamp >= <cursor>` when there is one, following `nextRecordsUrl` until `done`. Every page
carries the SystemModstamp it reached as its cursor, so a failed run resumes at the landed data. A
backfill filters on its window instead (`SystemModstamp >= start AND SystemModstamp < end`).
Salesforce reports errors as a JSON array of {errorCode, message}; an exhausted daily quota is
403 REQUEST_LIMIT_EXCEEDED, which is not retried (it lasts until the 24-hour window moves on).
Tasks (follow-up calls, logged calls) tell whether and when a detractor was followed up.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, SecretStr

from ingestion.connectors import fields
from ingestion.connectors.base import Connector, SourceConfig, StrictModel
from ingestion.connectors.crm_tables import SALESFORCE_TABLES
from ingestion.connectors.writeback import SalesforceWritebackSettings
from ingestion.http import HttpClient, HttpSettings
from ingestion.landing import Batch
from ingestion.window import Window

SOBJECTS = {"accounts": "Account", "contacts": "Contact", "opportunities": "Opportunity", "tasks": "Task"}


class SalesforceFields(StrictModel):
    """API names of the custom fields that hold our customer data."""

    customer_number: str = "Customer_Number__c"  # Account: our customer number
    customer_type: str = "Customer_Type__c"  # Account: consumer | business
    product: str = "Product__c"  # Account and Opportunity: product code
    region: str = "Region__c"  # Account
    churned_at: str = "Churned_At__c"  # Account: when the customer left (empty while active)


class SalesforceSourceConfig(SourceConfig):
    type: Literal["salesforce"] = "salesforce"
    base_url: str = Field(description="the org's instance URL, e.g. https://acme.my.salesforce.com")
    access_token: SecretStr = Field(description="OAuth access token, e.g. ${SALESFORCE_ACCESS_TOKEN}")
    api_version: str = Field(default="v60.0", pattern=r"^v\d+\.\d$")
    batch_size: int = Field(default=2000, ge=200, le=2000)  # Sforce-Query-Options batchSize
    fields: SalesforceFields = Field(default_factory=SalesforceFields)
    http: HttpSettings = Field(default_factory=HttpSettings)
    writeback: SalesforceWritebackSettings = Field(default_factory=SalesforceWritebackSettings)  # latest rating -> CRM


def _read_error(body: Any) -> tuple[str | None, str] | None:
    if isinstance(body, list) and body and isinstance(body[0], dict) and "errorCode" in body[0]:
        return str(body[0]["errorCode"]), "; ".join(f"{e.get('errorCode')}: {e.get('message')}" for e in body)
    return None


def client(config: SalesforceSourceConfig) -> HttpClient:
    token = config.access_token.get_secret_value()
    return HttpClient(
        config.name,
        config.base_url,
        config.http,
        default_requests_per_second=10.0,
        headers={"Authorization": f"Bearer {token}", "Sforce-Query-Options": f"batchSize={config.batch_size}"},
        secrets=(token,),
        read_error=_read_error,
    )


def selected_fields(object_name: str, config: SalesforceSourceConfig) -> list[str]:
    custom = config.fields
    return {
        "accounts": [
            "Id", "Name", "NumberOfEmployees", "CreatedDate", "SystemModstamp", custom.customer_number,
            custom.customer_type, custom.product, custom.region, custom.churned_at,
        ],
        "contacts": ["Id", "AccountId", "Email", "FirstName", "LastName", "Phone", "CreatedDate", "SystemModstamp"],
        "opportunities": [
            "Id", "AccountId", "Name", "Amount", "StageName", "IsWon", "CloseDate", "CreatedDate",
            "SystemModstamp", custom.product,
        ],
        "tasks": [
            "Id", "AccountId", "WhoId", "Subject", "Status", "IsClosed", "ActivityDate", "CompletedDateTime",
            "CreatedDate", "SystemModstamp",
        ],
    }[object_name]  # fmt: skip


def soql(
    object_name: str, config: SalesforceSourceConfig, modified_since: datetime | None, modified_before: datetime | None = None
) -> str:
    conditions = [f"SystemModstamp >= {soql_datetime(modified_since)}"] if modified_since else []
    if modified_before:
        conditions.append(f"SystemModstamp < {soql_datetime(modified_before)}")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return (
        f"SELECT {', '.join(selected_fields(object_name, config))} FROM {SOBJECTS[object_name]}"
        f"{where} ORDER BY SystemModstamp ASC, Id ASC"
    )


def soql_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_record(object_name: str, row: dict[str, Any], config: SalesforceSourceConfig) -> dict[str, Any]:
    custom = config.fields
    record_id = fields.required_text(row.get("Id"), "Id")
    modified = fields.timestamp(row.get("SystemModstamp"), "SystemModstamp", required=True)
    created = fields.timestamp(row.get("CreatedDate"), "CreatedDate", required=True)
    if object_name == "accounts":
        record = {
            "id": record_id,
            "customer_number": fields.required_text(row.get(custom.customer_number), custom.customer_number),
            "name": fields.text(row.get("Name")),
            "customer_type": fields.text(row.get(custom.customer_type)),
            "numberofemployees": fields.integer(row.get("NumberOfEmployees"), "NumberOfEmployees"),
            "product": fields.text(row.get(custom.product)),
            "region": fields.text(row.get(custom.region)),
            "createddate": created,
            "churned_at": fields.timestamp(row.get(custom.churned_at), custom.churned_at),
            "systemmodstamp": modified,
        }
    elif object_name == "contacts":
        record = {
            "id": record_id,
            "accountid": fields.text(row.get("AccountId")),
            "email": fields.text(row.get("Email")),
            "firstname": fields.text(row.get("FirstName")),
            "lastname": fields.text(row.get("LastName")),
            "phone": fields.text(row.get("Phone")),
            "createddate": created,
            "systemmodstamp": modified,
        }
    elif object_name == "tasks":
        record = {
            "id": record_id,
            "accountid": fields.text(row.get("AccountId")),
            "whoid": fields.text(row.get("WhoId")),
            "subject": fields.text(row.get("Subject")),
            "status": fields.text(row.get("Status")),
            "isclosed": bool(fields.boolean(row.get("IsClosed"), "IsClosed")),
            "activitydate": fields.calendar_date(row.get("ActivityDate"), "ActivityDate"),
            "completeddatetime": fields.timestamp(row.get("CompletedDateTime"), "CompletedDateTime"),
            "createddate": created,
            "systemmodstamp": modified,
        }
    else:
        record = {
            "id": record_id,
            "accountid": fields.text(row.get("AccountId")),
            "name": fields.text(row.get("Name")),
            "product": fields.text(row.get(custom.product)),
            "amount": fields.decimal(row.get("Amount"), "Amount"),
            "stagename": fields.text(row.get("StageName")),
            "iswon": bool(fields.boolean(row.get("IsWon"), "IsWon")),
            "closedate": fields.calendar_date(row.get("CloseDate"), "CloseDate"),
            "createddate": created,
            "systemmodstamp": modified,
        }
    return {**record, "payload": row, "_modified_at": modified}


def extract(config: SalesforceSourceConfig, object_name: str, cursor: str | None, window: Window | None = None) -> Iterator[Batch]:
    state = json.loads(cursor) if cursor else {}
    since = fields.timestamp(state.get("systemmodstamp"), "cursor systemmodstamp")
    query = soql(object_name, config, window.start, window.end) if window else soql(object_name, config, since)
    with client(config) as http:
        page = http.get_json(f"services/data/{config.api_version}/query", {"q": query})
        while True:
            batch = Batch()
            for row in page.get("records") or []:
                try:
                    batch.records.append(parse_record(object_name, row, config))
                except fields.RecordError as error:
                    batch.quarantined.append(fields.quarantine(f"{SOBJECTS[object_name]}/{row.get('Id')}", error, row))
            reached = _last_modstamp(page.get("records") or [])
            if reached is not None and window is None:
                batch.cursor = json.dumps({"systemmodstamp": reached.isoformat()})
            yield batch
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return
            page = http.get_json(next_url)


def _last_modstamp(rows: list[dict[str, Any]]) -> datetime | None:
    """The last row's SystemModstamp (rows are sorted by it); a malformed one is skipped."""
    for row in reversed(rows):
        try:
            moment = fields.timestamp(row.get("SystemModstamp"), "SystemModstamp")
        except fields.RecordError:
            continue
        if moment is not None:
            return moment
    return None


CONNECTOR = Connector(
    source_type="salesforce",
    config_model=SalesforceSourceConfig,
    tables=SALESFORCE_TABLES,
    extract=extract,
)
