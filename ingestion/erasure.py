"""Erasure of one person (GDPR art. 17) from everything landed: survey responses, CRM records and
their activity, quarantine, the write-back state and the stored pseudonymous keys. The models built from them are rebuilt afterwards
(`nps forget-customer`); the audit entry records counts and a keyed hash, never the person.

What identified the person (customer number, CRM account ids, e-mail addresses) joins the
erased-identifier list as keyed hashes (ingestion/suppression.py), so a later load from the source
drops their records instead of landing them again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingestion.connectors import CONNECTORS
from ingestion.landing import ensure_raw_tables
from ingestion.personal_identifiers import CONTACT_EMAILS, CRM_ACCOUNT_ID, CRM_ACCOUNTS, CUSTOMER_ID, EMAIL
from ingestion.pseudonyms import pseudonym
from ingestion.raw_tables import QUARANTINE_TABLE, RAW_SCHEMA
from ingestion.suppression import add_erased, erasure_key
from ingestion.warehouse import Warehouse

ERASURE_LOG = f"{RAW_SCHEMA}.erasure_log"
WRITEBACK_STATE = ("writeback", "crm_rating_state")
PSEUDONYMS = ("publish", "pseudonyms")  # reporting/publish.py's stored keyed hashes, by value


@dataclass(frozen=True)
class Erasure:
    deleted: dict[str, int]  # rows deleted per table
    identifiers_added: int  # new entries in the erased-identifier list


def forget_customer(
    warehouse: Warehouse, customer_id: str, emails: list[str] = (), data_dir: Path | None = None
) -> Erasure:
    """Delete the customer's rows from every raw table and add their identifiers to the
    erased-identifier list, in one transaction. `emails` adds addresses to erase that the CRM does
    not know. data_dir: where the installation's pseudonymisation key is ($NPS_PSEUDONYM_KEY wins)."""
    key = erasure_key(data_dir)  # before anything is deleted: without it the erasure would not stick
    ensure_raw_tables(warehouse, [t for c in CONNECTORS.values() for t in c.tables.values()])
    deleted: dict[str, int] = {}
    with warehouse.transaction():
        accounts = _crm_account_ids(warehouse, customer_id)
        account_ids = [i for ids in accounts.values() for i in ids]
        addresses = sorted({e.strip().lower() for e in emails if e.strip()} | _contact_emails(warehouse, accounts))
        contact_ids = _contact_ids(warehouse, account_ids, addresses)
        for crm in CRM_ACCOUNTS:
            ids = accounts[crm.accounts]
            for table, column in crm.linked.items():
                deleted[table] = _delete_in(warehouse, table, column, ids)
                if table in CONTACT_EMAILS:  # the person as a contact of another account, too
                    deleted[table] += _delete_addresses(warehouse, table, "email", addresses)
            deleted[crm.accounts] = _delete_in(warehouse, crm.accounts, "id", ids)
        for table in _response_tables():
            deleted[table] = _delete_responses(warehouse, table, [customer_id, *account_ids], addresses)
        deleted["quarantine"] = _delete_quarantined(warehouse, [customer_id, *account_ids], addresses)
        deleted["writeback_state"] = _delete_stored(warehouse, WRITEBACK_STATE, "crm_object_id", [*account_ids, *contact_ids])
        deleted["pseudonyms"] = _delete_stored(warehouse, PSEUDONYMS, "value", [customer_id, *account_ids])
        identifiers = [
            (CUSTOMER_ID, customer_id),
            *((CRM_ACCOUNT_ID, i) for i in account_ids),
            *((EMAIL, address) for address in addresses),
        ]
        added = len(add_erased(warehouse, key, identifiers))
        warehouse.execute(
            f"create table if not exists {ERASURE_LOG} (erased_at timestamp with time zone, "
            "subject_pseudonym varchar, rows_deleted varchar)"
        )
        warehouse.execute(
            f"insert into {ERASURE_LOG} values (?, ?, ?)",
            (datetime.now(UTC), pseudonym(key, customer_id), json.dumps(deleted, sort_keys=True)),
        )
    return Erasure(deleted, added)


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


def _contact_ids(warehouse: Warehouse, account_ids: list[str], emails: list[str]) -> list[str]:
    """The person's CRM contacts: those of their accounts, and any with their address."""
    values = [*account_ids, *emails]
    if not values:
        return []
    accounts = ", ".join("?" for _ in account_ids) or "null"
    addresses = ", ".join("?" for _ in emails) or "null"
    return [
        row[0]
        for table, column in CONTACT_EMAILS.items()
        for row in warehouse.execute(
            f"select id from {RAW_SCHEMA}.{table} where {column} in ({accounts}) "
            f"or lower(trim(email)) in ({addresses})",
            values,
        )
    ]


def _response_tables() -> list[str]:
    return [c.tables["responses"].name for c in CONNECTORS.values() if "responses" in c.tables]


def _delete_in(warehouse: Warehouse, table: str, column: str, values: list[str]) -> int:
    if not values:
        return 0
    marks = ", ".join("?" for _ in values)
    return _delete(warehouse, f"{RAW_SCHEMA}.{table}", f"{column} in ({marks})", values)


def _delete_responses(warehouse: Warehouse, table: str, customer_ids: list[str], emails: list[str]) -> int:
    # A response's customer id may hold the customer number or a CRM account id (as the models match it).
    condition = f"trim(customer_id) in ({', '.join('?' for _ in customer_ids)})"
    if emails:
        condition += f" or lower(trim(customer_email)) in ({', '.join('?' for _ in emails)})"
    return _delete(warehouse, f"{RAW_SCHEMA}.{table}", condition, [*customer_ids, *emails])


def _delete_addresses(warehouse: Warehouse, table: str, column: str, emails: list[str]) -> int:
    if not emails:
        return 0
    marks = ", ".join("?" for _ in emails)
    return _delete(warehouse, f"{RAW_SCHEMA}.{table}", f"lower(trim({column})) in ({marks})", emails)


def _delete_quarantined(warehouse: Warehouse, customer_ids: list[str], emails: list[str]) -> int:
    # Quarantined payloads are raw text. An id is matched as a whole JSON string (C1 must not take
    # C12 with it); an address anywhere, whatever its case or padding.
    patterns = [*(f'%"{i.lower()}"%' for i in customer_ids), *(f"%{email}%" for email in emails)]
    condition = " or ".join("lower(payload) like ?" for _ in patterns)
    return _delete(warehouse, QUARANTINE_TABLE, condition, patterns)


def _delete_stored(warehouse: Warehouse, schema_table: tuple[str, str], column: str, values: list[str]) -> int:
    """Rows of a state table another step creates (it may not exist yet)."""
    schema, table = schema_table
    exists = warehouse.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", (schema, table)
    )[0][0]
    if not exists or not values:
        return 0
    marks = ", ".join("?" for _ in values)
    return _delete(warehouse, f"{schema}.{table}", f"{column} in ({marks})", values)


def _delete(warehouse: Warehouse, table: str, condition: str, params: list) -> int:
    count = warehouse.execute(f"select count(*) from {table} where {condition}", params)[0][0]
    if count:
        warehouse.execute(f"delete from {table} where {condition}", params)
    return count
