"""Erasure of one person (GDPR art. 17) from everything landed: survey responses, CRM records and
their activity, quarantine, the write-back state. The models built from them are rebuilt afterwards
(`nps forget-customer`); the audit entry records counts and a keyed hash, never the person.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from ingestion.connectors import CONNECTORS
from ingestion.landing import ensure_raw_tables
from ingestion.raw_tables import QUARANTINE_TABLE, RAW_SCHEMA
from ingestion.warehouse import Warehouse

ERASURE_LOG = f"{RAW_SCHEMA}.erasure_log"
PSEUDONYM_KEY_ENV = "NPS_PSEUDONYM_KEY"
WRITEBACK_STATE = ("writeback", "crm_rating_state")


@dataclass(frozen=True)
class CrmAccounts:
    """Where a CRM keeps the customer number, and which tables hang off an account (by which column)."""

    accounts: str
    customer_number: str
    linked: dict[str, str]


CRM_ACCOUNTS = (
    CrmAccounts("hubspot__companies", "customer_id", {
        "hubspot__contacts": "company_id", "hubspot__deals": "company_id",
        "hubspot__tasks": "company_id", "hubspot__notes": "company_id",
    }),
    CrmAccounts("salesforce__accounts", "customer_number", {
        "salesforce__contacts": "accountid", "salesforce__opportunities": "accountid",
        "salesforce__tasks": "accountid",
    }),
)  # fmt: skip
CONTACT_EMAILS = {"hubspot__contacts": "company_id", "salesforce__contacts": "accountid"}


def subject_pseudonym(customer_id: str) -> str | None:
    """A keyed hash of the customer id (HMAC-SHA256 with $NPS_PSEUDONYM_KEY), or None without a key:
    an unkeyed hash of a customer number is trivially reversed by trying them all."""
    key = os.environ.get(PSEUDONYM_KEY_ENV)
    if not key:
        return None
    return hmac.new(key.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


def forget_customer(warehouse: Warehouse, customer_id: str, emails: list[str] = ()) -> dict[str, int]:
    """Delete the customer's rows from every raw table in one transaction; return rows deleted per
    table. `emails` adds addresses to erase that the CRM does not know."""
    ensure_raw_tables(warehouse, [t for c in CONNECTORS.values() for t in c.tables.values()])
    deleted: dict[str, int] = {}
    with warehouse.transaction():
        accounts = _crm_account_ids(warehouse, customer_id)
        addresses = sorted({e.strip().lower() for e in emails if e.strip()} | _contact_emails(warehouse, accounts))
        for crm in CRM_ACCOUNTS:
            ids = accounts[crm.accounts]
            for table, column in crm.linked.items():
                deleted[table] = _delete_in(warehouse, table, column, ids)
            deleted[crm.accounts] = _delete_in(warehouse, crm.accounts, "id", ids)
        for table in _response_tables():
            deleted[table] = _delete_responses(warehouse, table, customer_id, addresses)
        deleted["quarantine"] = _delete_quarantined(warehouse, customer_id, addresses)
        deleted["writeback_state"] = _delete_writeback_state(warehouse, [i for ids in accounts.values() for i in ids])
        warehouse.execute(
            f"create table if not exists {ERASURE_LOG} (erased_at timestamp with time zone, "
            "subject_pseudonym varchar, rows_deleted varchar)"
        )
        warehouse.execute(
            f"insert into {ERASURE_LOG} values (?, ?, ?)",
            (datetime.now(UTC), subject_pseudonym(customer_id), json.dumps(deleted, sort_keys=True)),
        )
    return deleted


def _crm_account_ids(warehouse: Warehouse, customer_id: str) -> dict[str, list[str]]:
    return {
        crm.accounts: [
            row[0] for row in warehouse.execute(
                f"select id from {RAW_SCHEMA}.{crm.accounts} where {crm.customer_number} = ?", (customer_id,)
            )
        ]
        for crm in CRM_ACCOUNTS
    }


def _contact_emails(warehouse: Warehouse, accounts: dict[str, list[str]]) -> set[str]:
    ids = [i for account_ids in accounts.values() for i in account_ids]
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    return {
        row[0]
        for table, column in CONTACT_EMAILS.items()
        for row in warehouse.execute(
            f"select distinct lower(trim(email)) from {RAW_SCHEMA}.{table} where {column} in ({marks}) "
            "and email is not null",
            ids,
        )
    }


def _response_tables() -> list[str]:
    return [c.tables["responses"].name for c in CONNECTORS.values() if "responses" in c.tables]


def _delete_in(warehouse: Warehouse, table: str, column: str, values: list[str]) -> int:
    if not values:
        return 0
    marks = ", ".join("?" for _ in values)
    return _delete(warehouse, f"{RAW_SCHEMA}.{table}", f"{column} in ({marks})", values)


def _delete_responses(warehouse: Warehouse, table: str, customer_id: str, emails: list[str]) -> int:
    condition = "customer_id = ?"
    if emails:
        condition += f" or lower(trim(customer_email)) in ({', '.join('?' for _ in emails)})"
    return _delete(warehouse, f"{RAW_SCHEMA}.{table}", condition, [customer_id, *emails])


def _delete_quarantined(warehouse: Warehouse, customer_id: str, emails: list[str]) -> int:
    # Quarantined payloads are raw text. The id is matched as a whole JSON string (C1 must not take
    # C12 with it); an address anywhere, whatever its case or padding.
    patterns = [f'%"{customer_id.lower()}"%', *(f"%{email}%" for email in emails)]
    condition = " or ".join("lower(payload) like ?" for _ in patterns)
    return _delete(warehouse, QUARANTINE_TABLE, condition, patterns)


def _delete_writeback_state(warehouse: Warehouse, account_ids: list[str]) -> int:
    schema, table = WRITEBACK_STATE
    exists = warehouse.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", (schema, table)
    )[0][0]
    if not exists or not account_ids:
        return 0
    marks = ", ".join("?" for _ in account_ids)
    return _delete(warehouse, f"{schema}.{table}", f"crm_object_id in ({marks})", account_ids)


def _delete(warehouse: Warehouse, table: str, condition: str, params: list) -> int:
    count = warehouse.execute(f"select count(*) from {table} where {condition}", params)[0][0]
    if count:
        warehouse.execute(f"delete from {table} where {condition}", params)
    return count
