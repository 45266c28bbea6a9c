"""A backfill's window (vars window_start, window_end) rebuilds the incremental models' rows of its
days from what is landed, as a full build would; an ordinary incremental run leaves them alone."""
from __future__ import annotations

import json

import duckdb
import pytest

from tests.dbt import assertions
from tests.dbt.raw_fixture import raw_records
from tests.dbt.warehouses import DBT_VARS, duckdb_environment, load_duckdb, read_duckdb, run_dbt

pytestmark = pytest.mark.slow

APRIL = {"window_start": "2026-04-01", "window_end": "2026-05-01"}  # local days in Europe/Amsterdam


def damage_april(warehouse) -> None:
    """What a backfill must repair in the incremental models: a response lost (r05), one whose raw
    record is gone (a copy of r06 under another key), a day miscounted, a rating altered."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("delete from intermediate.int_responses_conformed where source_response_id = 'r05'")
        connection.execute(
            """insert into intermediate.int_responses_conformed
               select * replace (md5('ghost') as response_key, 'ghost' as source_response_id)
               from intermediate.int_responses_conformed where source_response_id = 'r06'"""
        )
        connection.execute("update intermediate.int_nps_daily_counts set promoters = promoters + 5 where responded_date = date '2026-04-15'")
        connection.execute("update customers.customer_ratings set score = 0 where responded_date = date '2026-04-16'")


def test_a_window_rebuilds_its_days_exactly_and_leaves_the_others(tmp_path):
    warehouse, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    read = lambda sql: read_duckdb(warehouse, sql)  # noqa: E731
    load_duckdb(warehouse, raw_records({1, 2}))
    # The models without their tests (test_duckdb_build runs those); the window's build runs its own.
    run_dbt(["build", "--exclude-resource-type", "test", "unit_test", "--vars", DBT_VARS], duckdb_environment(warehouse), target)
    march = "select conformed_at from intermediate.int_responses_conformed where source_response_id = 'r01'"
    conformed_before = read(march)
    damage_april(warehouse)
    damaged_day = "select promoters from intermediate.int_nps_daily_counts where responded_date = date '2026-04-15'"
    damaged_counts = read(damaged_day)

    # Nothing new has landed: an ordinary incremental run repairs nothing (and, the NPS marts being
    # incremental by period, does not carry the damaged counts into them either).
    run_dbt(["run", "--select", "int_responses_conformed+", "--vars", DBT_VARS], duckdb_environment(warehouse), target)
    with pytest.raises(AssertionError):
        assertions.assert_conformed_responses(read)
    assert read(damaged_day) == damaged_counts

    window_vars = json.dumps({**json.loads(DBT_VARS), **APRIL})
    run_dbt(["build", "--select", "int_responses_conformed+", "--vars", window_vars], duckdb_environment(warehouse), target)

    assertions.assert_conformed_responses(read)
    assertions.assert_marts_match_expected(read)
    assertions.assert_headline_numbers(read)
    assertions.assert_customer_database(read)
    assert read(march) == conformed_before  # March, outside the window, was not rebuilt
