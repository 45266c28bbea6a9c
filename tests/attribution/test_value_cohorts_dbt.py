"""customer_value_cohorts built with dbt (DuckDB, and PostgreSQL when a server is there) from the
small raw world in value_fixture.py; every expected value below is worked out by hand from it.

The data runs from 2024-01-05 (first rating) to 2026-04-01 (last deal), so the quarters are
2024-04-01 .. 2026-04-01 and the data ends at 2026-04-02 00:00 UTC."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.attribution.value_fixture import raw_records
from tests.dbt.warehouses import (
    duckdb_environment,
    load_duckdb,
    load_postgres,
    postgres_environment,
    read_duckdb,
    read_postgres,
    run_dbt,
)

pytestmark = pytest.mark.slow
VARS = json.dumps({"reporting_timezone": "UTC", "min_responses": 3})
# The cohort model with what it reads, and `customers`, which its tests refer to (one dbt call).
BUILD = ["build", "--select", "+customer_value_cohorts", "customers", "--indirect-selection", "cautious", "--vars", VARS]
COHORTS = "select * from customers.customer_value_cohorts order by customer_id, quarter_start_date"


def _quarters(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + 3 * i) // 12, (first.month - 1 + 3 * i) % 12 + 1, 1) for i in range(count)]


EXPECTED_KEYS = (
    [("C001", q) for q in _quarters(date(2024, 4, 1), 9)]
    + [("C002", q) for q in _quarters(date(2024, 4, 1), 6)]  # churned 2025-08-15
    + [("C003", q) for q in _quarters(date(2025, 7, 1), 4)]  # created 2025-05-01
)
HAND_CHECKED = {
    # Tie at 23:59:59 on 31 March: the relational promoter wins; 360 the year before, 430 after
    # (the lost deal of 999 does not count).
    ("C001", date(2025, 4, 1)): {
        "customer_type": "consumer", "product": "internet", "size_employees": None,
        "tenure_years": 656 / 365.25, "nps_category": "promoter", "rating_survey_type": "relational",
        "rated_at": datetime(2025, 3, 31, 23, 59, 59, tzinfo=UTC), "rating_age_days": 0,
        "revenue_next_quarter": 100.0, "revenue_next_12_months": 430.0, "revenue_previous_12_months": 360.0,
        "revenue_change_12_months": 70.0, "revenue_movement": "expansion",
        "is_churned_next_quarter": False, "is_churned_next_12_months": False, "churned_at": None,
        "follow_up_days": 365.0, "is_churn_observed": False, "has_full_quarter": True, "has_full_12_months": True,
    },
    # The data ends a day into the quarter: next-quarter and 12-month outcomes unknown.
    ("C001", date(2026, 4, 1)): {
        "nps_category": "passive", "rating_survey_type": "transactional", "rating_age_days": 295,
        "revenue_next_quarter": None, "revenue_next_12_months": None, "revenue_previous_12_months": 430.0,
        "revenue_change_12_months": None, "revenue_movement": None,
        "follow_up_days": 1.0, "has_full_quarter": False, "has_full_12_months": False,
    },
    # Never rated; the deal both CRMs hold counts once (500, then 450); churns 136.5 days in.
    ("C002", date(2025, 4, 1)): {
        "customer_type": "business", "size_employees": 40, "nps_category": "not_rated",
        "rating_survey_type": None, "rated_at": None, "rating_age_days": None,
        "revenue_next_quarter": 500.0, "revenue_next_12_months": 950.0, "revenue_previous_12_months": 0.0,
        "revenue_change_12_months": 950.0, "revenue_movement": "churned",
        "is_churned_next_quarter": False, "is_churned_next_12_months": True,
        "churned_at": datetime(2025, 8, 15, 12, tzinfo=UTC), "follow_up_days": 136.5, "is_churn_observed": True,
        "has_full_12_months": True,
    },
    ("C002", date(2025, 7, 1)): {
        "revenue_next_quarter": 450.0, "revenue_next_12_months": None, "is_churned_next_quarter": True,
        "follow_up_days": 45.5, "is_churn_observed": True, "has_full_12_months": False,
    },
    # Rated through its e-mail address only; younger than a year, so no revenue movement.
    ("C003", date(2025, 10, 1)): {
        "nps_category": "detractor", "rating_age_days": 29, "revenue_previous_12_months": 0.0,
        "revenue_movement": None,
    },
    # Answered at 2025-10-01 00:00:00 exactly: counts from the next quarter on.
    ("C003", date(2026, 1, 1)): {"nps_category": "promoter", "rating_age_days": 92},
}  # fmt: skip


def _normalised(value):
    """Timestamps in UTC, NaN as None, floats to 9 decimals (SQL divides in another order)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, float):
        return None if value != value else round(value, 9)
    return value


def assert_hand_checked_cohorts(rows: list[dict]) -> None:
    assert [(r["customer_id"], r["quarter_start_date"]) for r in rows] == EXPECTED_KEYS
    by_key = {(r["customer_id"], r["quarter_start_date"]): r for r in rows}
    for key, expected in HAND_CHECKED.items():
        actual = {column: _normalised(by_key[key][column]) for column in expected}
        assert actual == {column: _normalised(value) for column, value in expected.items()}, key


def test_customer_value_cohorts_on_duckdb(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    load_duckdb(warehouse, raw_records())
    run_dbt(BUILD, duckdb_environment(warehouse), tmp_path / "target")
    assert_hand_checked_cohorts(read_duckdb(warehouse, COHORTS))


@pytest.mark.postgres
def test_customer_value_cohorts_on_postgresql(postgres_database, tmp_path: Path):
    load_postgres(postgres_database, raw_records())
    environment = postgres_environment(postgres_database)
    run_dbt([*BUILD, "--target", "postgres"], environment, tmp_path / "target")
    assert_hand_checked_cohorts(read_postgres(postgres_database, COHORTS))
