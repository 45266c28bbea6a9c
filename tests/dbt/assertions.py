"""What a build of the raw fixture must hold, whatever the engine. `read(sql)` returns rows as dicts."""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from tests.dbt.expected_marts import MART_KEYS, conformed_responses, expected_mart

Read = Callable[[str], list[dict[str, Any]]]
MONTH_ROWS = "period_grain = 'month'"


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) and actual is not None:
        return math.isclose(float(actual), expected, rel_tol=1e-12, abs_tol=1e-9)
    return actual == expected


def assert_marts_match_expected(read: Read) -> None:
    """Every row and column of the four NPS marts equals the independent Python computation."""
    for mart, keys in MART_KEYS.items():
        key_columns = ("period_grain", "period_start", "survey_type", *keys)
        expected = {tuple(row[k] for k in key_columns): row for row in expected_mart(mart)}
        actual = {
            tuple(row[k] for k in key_columns): {c: v for c, v in row.items() if c != "built_at"}
            for row in read(f"select * from marts.{mart}")
        }
        assert sorted(actual) == sorted(expected), f"{mart}: rows differ"
        for key, row in expected.items():
            assert set(actual[key]) == set(row), f"{mart}: columns differ"
            wrong = {c: (actual[key][c], v) for c, v in row.items() if not _same(actual[key][c], v)}
            assert not wrong, f"{mart} {key}: (actual, expected) {wrong}"


def assert_conformed_responses(read: Read) -> None:
    """Deduplicated (r03 replaced by its later copy x-3) and resolved to the expected customers."""
    columns = ("source_name", "source_response_id", "customer_id", "has_matched_customer", "responded_date")
    rows = read(f"select {', '.join(columns)} from intermediate.int_responses_conformed")
    assert sorted(tuple(row[c] for c in columns) for row in rows) == sorted(
        (c.source, c.response_id, c.customer_id, c.customer_id is not None, c.local_date)
        for c in conformed_responses()
    )


def assert_headline_numbers(read: Read) -> None:
    """A few numbers written out, as a reader of the dashboard would check them."""
    overall = {
        (r["period_start"], r["survey_type"]): r
        for r in read(f"select * from marts.nps_overall where {MONTH_ROWS}")
    }
    march = overall[(date(2026, 3, 1), "transactional")]
    # r04 (23:30 UTC on 31 March) counts in April; r03 and its copy x-3 count once.
    assert (march["responses"], march["promoters"], march["detractors"]) == (3, 2, 1)
    april = overall[(date(2026, 4, 1), "transactional")]
    assert (april["responses"], april["promoters"], april["passives"], april["detractors"]) == (6, 2, 1, 3)
    assert april["nps"] == 100 * (2 - 3) / 6
    assert april["baseline_nps"] == april["nps"]  # April is the first full month
    assert (april["target_nps"], april["target_date"]) == (30.0, date(2026, 12, 31))
    relational = overall[(date(2026, 4, 1), "relational")]
    assert relational["nps"] == 0.0
    # consumers (1/3 of active customers) -100, business customers (2/3) +100; q04 is unmatched
    assert math.isclose(relational["nps_weighted"], 100 / 3, rel_tol=1e-12)
    assert relational["baseline_nps"] is None  # no full month of relational measurement
    billing = read(
        "select employee_id, nps, nps_shrunk from marts.nps_by_employee"
        f" where {MONTH_ROWS} and period_start = date '2026-04-01' order by employee_id"
    )
    # E02 (-50) and E03 (-33.3) differ no more than chance explains: both get billing's -40.
    assert [(r["employee_id"], round(r["nps_shrunk"], 9)) for r in billing] == [
        ("E01", 100.0), ("E02", -40.0), ("E03", -40.0)
    ]


def assert_customer_database(read: Read) -> None:
    ratings = read("select has_matched_customer from customers.customer_ratings")
    assert (len(ratings), sum(not r["has_matched_customer"] for r in ratings)) == (14, 3)
    customers = {
        r["customer_id"]: r
        for r in read(
            "select customer_id, crm_system, region, ratings, latest_score, latest_nps_category,"
            " latest_transactional_score, latest_relational_score from customers.customers"
        )
    }
    assert customers["C001"] == {
        "customer_id": "C001", "crm_system": "hubspot", "region": "north", "ratings": 4, "latest_score": 4,
        "latest_nps_category": "detractor", "latest_transactional_score": 8, "latest_relational_score": 4,
    }  # fmt: skip
    # In both CRMs; Salesforce's newer record wins.
    assert (customers["C002"]["crm_system"], customers["C002"]["region"]) == ("salesforce", "west")
    assert customers["C003"]["ratings"] == 0 and customers["C003"]["latest_score"] is None
    employees = read("select employee_id, process, responses from customers.employees order by employee_id")
    assert [(e["employee_id"], e["process"], e["responses"]) for e in employees] == [
        ("E01", "support_call", 4), ("E02", "billing", 3), ("E03", "billing", 3)
    ]
