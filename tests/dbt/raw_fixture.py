"""A small raw world for building the dbt project end to end: CRM accounts and contacts in HubSpot
and Salesforce, survey responses from three CSV sources, landed in two batches. Every response says
what the models must make of it, so the expected marts can be computed independently."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

FIRST_LOAD = datetime(2026, 5, 10, tzinfo=UTC)
SECOND_LOAD = datetime(2026, 5, 11, tzinfo=UTC)
REPORTING_TIMEZONE = "Europe/Amsterdam"
MIN_RESPONSES = 3


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _company(id_, customer_id, name, kind, size, product, region, created, churned, modified) -> dict:
    return {
        "id": id_, "customer_id": customer_id, "name": name, "customer_type": kind,
        "numberofemployees": size, "product": product, "region": region, "createdate": _at(created),
        "churned_at": churned and _at(churned), "hs_lastmodifieddate": _at(modified),
    }  # fmt: skip


def _account(id_, customer_number, name, kind, size, product, region, created, churned, modified) -> dict:
    return {
        "id": id_, "customer_number": customer_number, "name": name, "customer_type": kind,
        "numberofemployees": size, "product": product, "region": region, "createddate": _at(created),
        "churned_at": churned and _at(churned), "systemmodstamp": _at(modified),
    }  # fmt: skip


# C002 is in both CRMs; Salesforce's record is newer and wins (region west, 45 employees).
# Active customers: C001 (consumer), C002 and C004 (business); C003 has churned.
HUBSPOT_COMPANIES = [
    _company("hs-1", "C001", "Ann Jansen", "consumer", None, "internet", "north", "2024-01-10", None, "2026-01-01"),
    _company("hs-2", "C002", "Acme BV", "business", 40, "mobile", "south", "2024-02-01", None, "2026-02-01"),
    _company("hs-3", "C003", "Cor de Vries", "consumer", None, "internet", "north", "2024-03-01", "2026-02-15", "2026-02-15"),
]  # fmt: skip
SALESFORCE_ACCOUNTS = [
    _account("001A", "C002", "Acme B.V.", "business", 45, "mobile", "west", "2024-02-01", None, "2026-03-01"),
    _account("001B", "C004", "Globex", "business", 200, "internet", "south", "2025-01-01", None, "2026-01-05"),
]  # fmt: skip
HUBSPOT_CONTACTS = [
    {"id": "hc-1", "company_id": "hs-1", "email": "ann@example.com", "firstname": "Ann", "lastname": "Jansen",
     "phone": None, "createdate": _at("2024-01-10"), "lastmodifieddate": _at("2026-01-01")},
    {"id": "hc-3", "company_id": "hs-3", "email": "cor@example.com", "firstname": "Cor", "lastname": "de Vries",
     "phone": None, "createdate": _at("2024-03-01"), "lastmodifieddate": _at("2026-02-15")},
]  # fmt: skip
SALESFORCE_CONTACTS = [
    {"id": "003B", "accountid": "001B", "email": "Bob@Globex.example", "firstname": "Bob", "lastname": "Smit",
     "phone": None, "createddate": _at("2025-01-01"), "systemmodstamp": _at("2026-01-05")},
]  # fmt: skip
# Arrives with the second load: makes the earlier response r07 (unknown customer id C999, this e-mail)
# identifiable as C004.
LATE_CONTACT = {
    "id": "003Z", "accountid": "001B", "email": "zed@nowhere.example", "firstname": "Zed", "lastname": "Bakker",
    "phone": None, "createddate": _at("2026-05-01"), "systemmodstamp": _at("2026-05-01"),
}  # fmt: skip


@dataclass(frozen=True)
class FixtureResponse:
    source: str  # the source name in nps.yaml (all are CSV sources)
    response_id: str
    responded_at: str  # UTC
    score: int
    customer_id: str | None
    email: str | None
    product: str | None
    process: str | None
    employee_id: str | None
    survey_type: str
    load: int  # 1 or 2
    expected_customer: str | None  # what identity resolution must find
    superseded: bool = False  # a copy another source delivered later replaces it

    def raw_record(self) -> dict[str, Any]:
        return {
            "response_id": self.response_id, "responded_at": _at(self.responded_at), "score": self.score,
            "comment": None, "customer_id": self.customer_id, "customer_email": self.email,
            "product": self.product, "process": self.process, "employee_id": self.employee_id,
            "survey_type": self.survey_type, "channel": "email", "language": "nl", "attributes": None,
        }  # fmt: skip


T, R = "transactional", "relational"
RESPONSES = [
    FixtureResponse("exports", "r01", "2026-03-02T09:00:00", 10, "C001", None, "internet", "support_call", "E01", T, 1, "C001"),
    FixtureResponse("exports", "r02", "2026-03-03T10:00:00", 9, "C002", None, "mobile", "support_call", "E01", T, 1, "C002"),
    FixtureResponse("exports", "r03", "2026-03-10T12:00:00", 3, "C004", None, "internet", "billing", "E02", T, 1, "C004", superseded=True),
    # 23:30 UTC on 31 March is 1 April in Amsterdam (summer time since 29 March).
    FixtureResponse("exports", "r04", "2026-03-31T23:30:00", 6, "C001", None, "internet", "support_call", "E02", T, 1, "C001"),
    FixtureResponse("exports", "r05", "2026-04-02T08:00:00", 8, None, " ANN@example.com\t", "internet", "billing", "E02", T, 1, "C001"),
    FixtureResponse("exports", "r06", "2026-04-05T15:00:00", 10, None, None, "mobile", "support_call", "E01", T, 1, None),
    FixtureResponse("exports", "r07", "2026-04-07T07:00:00", 0, "C999", "zed@nowhere.example", "internet", "billing", "E03", T, 1, "C004"),
    FixtureResponse("exports", "r11", "2026-04-08T11:00:00", 5, None, "nobody@else.example", "internet", "support_call", "E03", T, 1, None),
    # A CRM account id instead of our customer number still identifies the customer.
    FixtureResponse("exports", "r09", "2026-04-20T10:00:00", 9, "001B", None, "mobile", "billing", "E03", T, 1, "C004"),
    FixtureResponse("exports", "q01", "2026-04-15T09:00:00", 9, "C002", None, "mobile", None, None, R, 1, "C002"),
    FixtureResponse("exports", "q02", "2026-04-16T09:00:00", 4, "C001", None, "internet", None, None, R, 1, "C001"),
    FixtureResponse("survey_tool", "q03", "2026-04-16T10:00:00", 10, "C004", None, "internet", None, None, R, 1, "C004"),
    FixtureResponse("survey_tool", "q04", "2026-04-17T10:00:00", 2, None, None, "internet", None, None, R, 1, None),
    # Second load: a new response, and r03 again through another source (same respondent and second).
    FixtureResponse("exports", "r10", "2026-05-04T10:00:00", 7, "C002", None, "mobile", "support_call", "E01", T, 2, "C002"),
    FixtureResponse("tool_export", "x-3", "2026-03-10T12:00:00", 3, "C004", None, "internet", "billing", "E02", T, 2, "C004"),
]  # fmt: skip

EXPECTED_EMPLOYEE_PROCESSES = {"E01": "support_call", "E02": "billing", "E03": "billing"}
# Each customer's segment (the winning CRM record) and the local days they were created and churned.
CUSTOMER_LIFETIMES = {
    "C001": ("consumer", date(2024, 1, 10), None),
    "C002": ("business", date(2024, 2, 1), None),
    "C003": ("consumer", date(2024, 3, 1), date(2026, 2, 15)),
    "C004": ("business", date(2025, 1, 1), None),
}


def expected_active_segments(day: date) -> dict[str, int]:
    """Active customers per segment on a local day: created by then, not churned by then."""
    active: dict[str, int] = {}
    for segment, created, churned in CUSTOMER_LIFETIMES.values():
        if created <= day and (churned is None or churned > day):
            active[segment] = active.get(segment, 0) + 1
    return active


def raw_records(loads: set[int]) -> dict[str, list[dict[str, Any]]]:
    """Raw table name -> records (with load metadata) of the given loads."""
    def landed(record: dict, source: str, load: int) -> dict:
        loaded_at = FIRST_LOAD if load == 1 else SECOND_LOAD
        return {**record, "payload": None, "_source": source, "_modified_at": loaded_at,
                "_loaded_at": loaded_at, "_batch_id": f"load-{load}"}  # fmt: skip

    tables: dict[str, list[dict[str, Any]]] = {
        "csv__responses": [
            landed(r.raw_record(), r.source, r.load) for r in RESPONSES if r.load in loads
        ],
    }
    if 1 in loads:
        tables["hubspot__companies"] = [landed(c, "hubspot", 1) for c in HUBSPOT_COMPANIES]
        tables["hubspot__contacts"] = [landed(c, "hubspot", 1) for c in HUBSPOT_CONTACTS]
        tables["salesforce__accounts"] = [landed(a, "salesforce", 1) for a in SALESFORCE_ACCOUNTS]
        tables["salesforce__contacts"] = [landed(c, "salesforce", 1) for c in SALESFORCE_CONTACTS]
    if 2 in loads:
        tables.setdefault("salesforce__contacts", []).append(landed(LATE_CONTACT, "salesforce", 2))
    return tables
