"""A small raw world for building customer_value_cohorts with dbt: three customers in HubSpot (one
also in Salesforce, with a deal both CRMs hold), their deals and ratings. Every value the tests
expect is worked out by hand in test_value_cohorts_dbt.py."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

LOADED_AT = datetime(2026, 4, 3, tzinfo=UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _landed(record: dict[str, Any], source: str) -> dict[str, Any]:
    return {**record, "payload": None, "_source": source, "_modified_at": LOADED_AT, "_loaded_at": LOADED_AT, "_batch_id": "load-1"}


def _company(id_: str, customer_id: str, kind: str, size: int | None, product: str, created: str, churned: str | None) -> dict[str, Any]:
    return {
        "id": id_, "customer_id": customer_id, "name": f"Customer {customer_id}", "customer_type": kind,
        "numberofemployees": size, "product": product, "region": "north", "createdate": _at(created),
        "churned_at": churned and _at(churned), "hs_lastmodifieddate": _at("2026-01-01"),
    }  # fmt: skip


def _deal(id_: str, company: str, amount: float, closed: str, stage: str = "closedwon") -> dict[str, Any]:
    return {
        "id": id_, "company_id": company, "dealname": f"deal {id_}", "product": "internet", "amount": amount,
        "dealstage": stage, "hs_is_closed_won": stage == "closedwon", "closedate": _at(closed),
        "createdate": _at(closed), "hs_lastmodifieddate": _at(closed),
    }  # fmt: skip


def _response(id_: str, responded: str, score: int, customer_id: str | None, email: str | None, survey_type: str) -> dict[str, Any]:
    return {
        "response_id": id_, "responded_at": _at(responded), "score": score, "comment": None,
        "customer_id": customer_id, "customer_email": email, "product": "internet",
        "process": "support_call" if survey_type == "transactional" else None,
        "employee_id": None, "survey_type": survey_type, "channel": "email", "language": "nl", "attributes": None,
    }  # fmt: skip


T, R = "transactional", "relational"
COMPANIES = [
    _company("hs-1", "C001", "consumer", None, "internet", "2023-06-15", None),
    _company("hs-2", "C002", "business", 40, "mobile", "2023-01-01", "2025-08-15T12:00:00"),
    _company("hs-3", "C003", "consumer", None, "tv", "2025-05-01", None),
]  # fmt: skip
CONTACTS = [
    {"id": "hc-3", "company_id": "hs-3", "email": "cor@example.com", "firstname": "Cor", "lastname": "Vos",
     "phone": None, "createdate": _at("2025-05-01"), "lastmodifieddate": _at("2025-05-01")},
]  # fmt: skip
DEALS = [
    # C001: a renewal every quarter; 360 in the year before 2025-04-01, 430 in the year after.
    _deal("d01", "hs-1", 90.0, "2024-04-01T08:00:00"),
    _deal("d02", "hs-1", 90.0, "2024-07-01T08:00:00"),
    _deal("d03", "hs-1", 90.0, "2024-10-01T08:00:00"),
    _deal("d04", "hs-1", 90.0, "2025-01-02T08:00:00"),
    _deal("d05", "hs-1", 100.0, "2025-04-01T08:00:00"),
    _deal("d06", "hs-1", 999.0, "2025-05-01T08:00:00", stage="closedlost"),
    _deal("d07", "hs-1", 100.0, "2025-07-01T08:00:00"),
    _deal("d08", "hs-1", 110.0, "2025-10-01T08:00:00"),
    _deal("d09", "hs-1", 120.0, "2026-01-02T08:00:00"),
    _deal("d10", "hs-1", 130.0, "2026-04-01T08:00:00"),
    # C002: the 2025-04-02 deal is in Salesforce too (counted once).
    _deal("d11", "hs-2", 500.0, "2025-04-02T09:00:00"),
    _deal("d12", "hs-2", 450.0, "2025-07-01T09:00:00"),
]  # fmt: skip
SALESFORCE_ACCOUNTS = [
    {"id": "001A", "customer_number": "C002", "name": "Customer C002", "customer_type": "business",
     "numberofemployees": 40, "product": "mobile", "region": "north", "createddate": _at("2023-01-01"),
     "churned_at": _at("2025-08-15T12:00:00"), "systemmodstamp": _at("2026-02-01")},
]  # fmt: skip
OPPORTUNITIES = [
    {"id": "006A", "accountid": "001A", "name": "opportunity", "product": "internet", "amount": 500.0,
     "stagename": "Closed Won", "iswon": True, "closedate": date(2025, 4, 2),
     "createddate": _at("2025-04-02T09:00:00"), "systemmodstamp": _at("2025-04-02T09:00:00")},
]  # fmt: skip
RESPONSES = [
    _response("r01", "2024-01-05T10:00:00", 10, "C001", None, T),  # the first day with data
    # Answered at the same second: the relational promoter wins over the transactional detractor.
    _response("r02", "2025-03-31T23:59:59", 3, "C001", None, T),
    _response("r03", "2025-03-31T23:59:59", 9, "C001", None, R),
    _response("r04", "2025-06-10T00:00:00", 7, "C001", None, T),
    # Identified by e-mail only.
    _response("r05", "2025-09-01T06:00:00", 5, None, " COR@example.com", T),
    # Answered exactly at a quarter start: counts for the next quarter, not this one.
    _response("r06", "2025-10-01T00:00:00", 10, "C003", None, T),
]  # fmt: skip


def raw_records() -> dict[str, list[dict[str, Any]]]:
    return {
        "hubspot__companies": [_landed(c, "hubspot") for c in COMPANIES],
        "hubspot__contacts": [_landed(c, "hubspot") for c in CONTACTS],
        "hubspot__deals": [_landed(d, "hubspot") for d in DEALS],
        "salesforce__accounts": [_landed(a, "salesforce") for a in SALESFORCE_ACCOUNTS],
        "salesforce__opportunities": [_landed(o, "salesforce") for o in OPPORTUNITIES],
        "csv__responses": [_landed(r, "exports") for r in RESPONSES],
    }
