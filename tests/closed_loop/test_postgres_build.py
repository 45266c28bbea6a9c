"""The drivers and follow-up models build on PostgreSQL too, and their unit tests (theme tagging with
`~*`, follow-up status with interval arithmetic, the drivers' arithmetic, the KPIs' median) pass there."""
from __future__ import annotations

import json

import pytest

from tests.closed_loop.world_build import STATUS_AS_OF
from tests.dbt.raw_fixture import MIN_RESPONSES, REPORTING_TIMEZONE, raw_records
from tests.dbt.warehouses import load_postgres, postgres_environment, read_postgres, run_dbt

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_closed_loop_models_build_and_pass_their_tests_on_postgresql(postgres_database, tmp_path):
    load_postgres(postgres_database, raw_records({1, 2}))
    dbt_vars = {"reporting_timezone": REPORTING_TIMEZONE, "min_responses": MIN_RESPONSES, "follow_up_as_of": STATUS_AS_OF.isoformat()}

    output = run_dbt(
        ["build", "--target", "postgres", "--select", "+marts.drivers", "+marts.follow_up",
         "--indirect-selection", "cautious", "--vars", json.dumps(dbt_vars)],
        postgres_environment(postgres_database), tmp_path,
    )  # fmt: skip

    assert "themes_per_language_and_detected_language" in output
    assert "follow_ups_from_crm_activity" in output
    assert "follow_up_status_with_a_fixed_clock" in output
    status_as_of = read_postgres(postgres_database, "select distinct status_as_of from marts.detractor_follow_up")
    assert [row["status_as_of"] for row in status_as_of] == [STATUS_AS_OF]


def test_write_back_state_on_postgresql_finds_changes_once(postgres_database):
    from datetime import UTC, datetime

    from ingestion.warehouse import PostgresWarehouse
    from reporting.crm_writeback import pending_pages, record_written

    def pending_changes(*args):
        return [change for page in pending_pages(*args) for change in page]

    warehouse = PostgresWarehouse(postgres_database)
    try:
        warehouse.execute("create schema marts")
        warehouse.execute(
            "create table marts.crm_writeback_ratings (source_name varchar, crm_system varchar, object_type varchar, "
            "crm_object_id varchar, customer_id varchar, latest_score integer, latest_nps_category varchar, "
            "last_rated_at timestamptz)"
        )
        rated = datetime(2025, 3, 1, 9, tzinfo=UTC)
        for object_id, score, category in (("1", 3, "detractor"), ("2", 10, "promoter")):
            warehouse.execute(
                "insert into marts.crm_writeback_ratings values ('hubspot', 'hubspot', 'account', ?, ?, ?, ?, ?)",
                (object_id, f"C{object_id}", score, category, rated),
            )

        first = pending_changes(warehouse, "hubspot", "account")
        record_written(warehouse, "hubspot", first, datetime(2025, 3, 2, tzinfo=UTC))
        warehouse.execute("update marts.crm_writeback_ratings set latest_score = 7, latest_nps_category = 'passive' where crm_object_id = '1'")
        second = pending_changes(warehouse, "hubspot", "account")
        record_written(warehouse, "hubspot", second, datetime(2025, 3, 3, tzinfo=UTC))
        third = pending_changes(warehouse, "hubspot", "account")
    finally:
        warehouse.close()

    assert [(c.crm_object_id, c.score, c.category, c.responded_at) for c in first] == [
        ("1", 3, "detractor", rated), ("2", 10, "promoter", rated),
    ]
    assert [(c.crm_object_id, c.score, c.category) for c in second] == [("1", 7, "passive")]
    assert third == []
