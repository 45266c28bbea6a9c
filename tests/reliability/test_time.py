"""Reporting periods around DST transitions and month/year ends in the reporting timezone
(Europe/Amsterdam), through the dbt marts: which day, week, month, quarter and year a response lands in.
Amsterdam moves to CEST (UTC+2) at 01:00 UTC on 29 March 2026 and back to CET (UTC+1) at 01:00 UTC on
25 October 2026; weeks start on Monday."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.dbt.warehouses import duckdb_environment, load_duckdb, read_duckdb, run_dbt

DBT_VARS = json.dumps({"reporting_timezone": "Europe/Amsterdam", "min_responses": 3})

# UTC instant -> the local date it is in Amsterdam.
RESPONSES = {
    "2026-03-28T23:30:00": date(2026, 3, 29),  # 00:30 CET
    "2026-03-29T00:30:00": date(2026, 3, 29),  # 01:30 CET, just before the switch
    "2026-03-29T01:30:00": date(2026, 3, 29),  # 03:30 CEST, just after
    "2026-03-29T22:30:00": date(2026, 3, 30),  # 00:30 CEST on Monday: a new week
    "2026-03-31T21:30:00": date(2026, 3, 31),  # 23:30 CEST
    "2026-03-31T22:30:00": date(2026, 4, 1),  # 00:30 CEST: April, the second quarter
    "2026-10-24T22:30:00": date(2026, 10, 25),  # 00:30 CEST
    "2026-10-25T00:30:00": date(2026, 10, 25),  # 02:30 CEST, the first time
    "2026-10-25T01:30:00": date(2026, 10, 25),  # 02:30 CET, the second time
    "2026-10-25T22:30:00": date(2026, 10, 25),  # 23:30 CET on Sunday
    "2026-10-25T23:30:00": date(2026, 10, 26),  # 00:30 CET on Monday: a new week
    "2026-12-31T22:59:00": date(2026, 12, 31),  # 23:59 CET
    "2026-12-31T23:30:00": date(2027, 1, 1),  # 00:30 CET: next year
}  # fmt: skip

EXPECTED_RESPONSES = {
    "day": {
        date(2026, 3, 29): 3, date(2026, 3, 30): 1, date(2026, 3, 31): 1, date(2026, 4, 1): 1,
        date(2026, 10, 25): 4, date(2026, 10, 26): 1, date(2026, 12, 31): 1, date(2027, 1, 1): 1,
    },
    "week": {
        date(2026, 3, 23): 3, date(2026, 3, 30): 3, date(2026, 10, 19): 4, date(2026, 10, 26): 1,
        date(2026, 12, 28): 2,
    },
    "month": {date(2026, 3, 1): 5, date(2026, 4, 1): 1, date(2026, 10, 1): 5, date(2026, 12, 1): 1, date(2027, 1, 1): 1},
    "quarter": {date(2026, 1, 1): 5, date(2026, 4, 1): 1, date(2026, 10, 1): 6, date(2027, 1, 1): 1},
    "year": {date(2026, 1, 1): 12, date(2027, 1, 1): 1},
}  # fmt: skip


def _response(number: int, responded_at: str) -> dict:
    moment = datetime.fromisoformat(responded_at).replace(tzinfo=UTC)
    return {
        "response_id": f"t{number:02d}", "responded_at": moment, "score": 9, "comment": None,
        "customer_id": None, "customer_email": None, "product": "internet", "process": "billing",
        "employee_id": None, "survey_type": "transactional", "channel": "email", "language": "nl",
        "attributes": None, "payload": None, "_source": "exports", "_modified_at": moment,
        "_loaded_at": datetime(2027, 1, 2, tzinfo=UTC), "_batch_id": "time",
    }  # fmt: skip


pytestmark = pytest.mark.slow  # one dbt build, ~20 s


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("time")
    path = folder / "warehouse.duckdb"
    load_duckdb(path, {"csv__responses": [_response(n, at) for n, at in enumerate(RESPONSES, start=1)]})
    run_dbt(["build", "--select", "+nps_overall", "--vars", DBT_VARS], duckdb_environment(path), folder / "target")
    return path


def test_each_response_lands_on_its_local_date(warehouse):
    rows = read_duckdb(warehouse, "select responded_at, responded_date from intermediate.int_responses_conformed")

    found = {row["responded_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"): row["responded_date"] for row in rows}
    assert found == RESPONSES


@pytest.mark.parametrize("grain", list(EXPECTED_RESPONSES))
def test_responses_land_in_the_local_period_of_each_grain(warehouse, grain):
    rows = read_duckdb(
        warehouse,
        f"""select period_start, responses from marts.nps_overall
            where period_grain = '{grain}' and survey_type = 'transactional' and responses > 0""",
    )

    assert {row["period_start"]: row["responses"] for row in rows} == EXPECTED_RESPONSES[grain]
