"""Which raw columns identify a person, per raw table, and the keyed hash that stands in for an
identifier that must be remembered after the person is erased (the erased-identifier list).

Three kinds of identifier point at a customer, as in the models (int_customer_identifiers): the
customer number, a CRM account id (HubSpot company, Salesforce account) and an e-mail address. A
response's customer id may hold either of the first two.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

CUSTOMER_ID, CRM_ACCOUNT_ID, EMAIL = "customer_id", "crm_account_id", "email"
KINDS = (CUSTOMER_ID, CRM_ACCOUNT_ID, EMAIL)


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


@dataclass(frozen=True)
class PersonColumns:
    """How a raw table's records point at a person. `matched`: column -> the kinds its value is
    compared as. `collected`: column -> kind, the values an erasure collects from a record it
    removes (an account's id, a contact's address) to find the person's other records."""

    matched: dict[str, tuple[str, ...]] = field(default_factory=dict)
    collected: dict[str, str] = field(default_factory=dict)


def person_columns(table_name: str) -> PersonColumns:
    if table_name.endswith("__responses"):
        return PersonColumns({"customer_id": (CUSTOMER_ID, CRM_ACCOUNT_ID), "customer_email": (EMAIL,)})
    for crm in CRM_ACCOUNTS:
        if table_name == crm.accounts:
            return PersonColumns(
                {crm.customer_number: (CUSTOMER_ID,), "id": (CRM_ACCOUNT_ID,)}, {"id": CRM_ACCOUNT_ID}
            )
        if table_name in crm.linked:
            matched = {crm.linked[table_name]: (CRM_ACCOUNT_ID,)}
            if table_name in CONTACT_EMAILS:
                return PersonColumns({**matched, "email": (EMAIL,)}, {"email": EMAIL})
            return PersonColumns(matched)
    return PersonColumns()


def normalised(kind: str, value: object) -> str | None:
    """The form an identifier is compared in: trimmed; an address also lower-cased (as the models'
    normalized_email); empty is None."""
    if value is None:
        return None
    text = str(value).strip()
    if kind == EMAIL:
        text = text.lower()
    return text or None


def identifier_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised identifier with its kind: an unkeyed hash of a customer number
    or an address is reversed by trying them all."""
    return hmac.digest(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hex()


def key_check(key: bytes) -> str:
    """A fingerprint of the key, stored with the hashes so a changed key is noticed, not silently
    matching nothing."""
    return hmac.digest(key, b"nps erased-identifier key check", hashlib.sha256).hex()[:16]
