"""Retention: raw payloads (and a response's unmodelled attributes) landed more than N days ago are
purged, the modelled columns kept; old quarantined records deleted; on DuckDB and PostgreSQL."""
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from ingestion.ingest import all_raw_tables
from ingestion.landing import Batch, QuarantineRecord, ensure_raw_tables, land_batch
from ingestion.raw_tables import responses_table
from ingestion.retention import purge_raw_payloads
from ingestion.warehouse import DuckDBWarehouse
from orchestration.cli import main
from orchestration.config import ConfigError, parse_config
from orchestration.retention import retention_assets
from tests.conftest import write_config

TABLE = responses_table("csv")
NOW = datetime.now(UTC)


def response(response_id: str, modified: int, comment: str = "Slow app") -> dict:
    values = {
        "response_id": response_id, "responded_at": datetime(2026, 1, 5, tzinfo=UTC), "score": 4,
        "comment": comment, "customer_id": "C1", "customer_email": "kim@example.com",
        "survey_type": "transactional", "attributes": {"store": "Utrecht"},
    }  # fmt: skip
    return {**dict.fromkeys(TABLE.columns), **values, "payload": {"id": response_id, "ip": "10.0.0.1"},
            "_modified_at": datetime(2026, 1, modified, tzinfo=UTC)}  # fmt: skip


def land(warehouse, records=(), quarantined=()):
    return land_batch(warehouse, TABLE, "exports", "responses", Batch(list(records), list(quarantined)), "run")


def landed_days_ago(warehouse, days: int, where: str, table: str = TABLE.qualified_name) -> None:
    warehouse.execute(f"update {table} set _loaded_at = ? where {where}", (NOW - timedelta(days=days),))


def raw(warehouse):
    return [
        tuple(row)
        for row in warehouse.execute(
            f"select response_id, score, comment, customer_email, payload is null, attributes is null "
            f"from {TABLE.qualified_name} order by 1"
        )
    ]


def test_old_payloads_are_purged_new_ones_kept_and_a_second_purge_changes_nothing(warehouse):
    land(warehouse, [response("old", 1), response("new", 1)], [
        QuarantineRecord("a.csv:line 2", "invalid score", '{"email": "kim@example.com"}'),
        QuarantineRecord("b.csv:line 2", "invalid score", '{"email": "jo@example.com"}'),
    ])  # fmt: skip
    landed_days_ago(warehouse, 31, "response_id = 'old'")
    landed_days_ago(warehouse, 31, "record_ref = 'a.csv:line 2'", table="raw.quarantine")

    first = purge_raw_payloads(warehouse, days=30)
    second = purge_raw_payloads(warehouse, days=30)

    assert (first.payloads[TABLE.name], first.quarantine_deleted, first.total) == (1, 1, 2)
    assert second.total == 0
    assert raw(warehouse) == [
        ("new", 4, "Slow app", "kim@example.com", False, False),
        ("old", 4, "Slow app", "kim@example.com", True, True),  # the modelled columns stay
    ]
    assert warehouse.execute("select record_ref from raw.quarantine") == [("b.csv:line 2",)]


def test_pulling_a_purged_record_again_keeps_it_purged_and_a_newer_version_lands_whole(warehouse):
    land(warehouse, [response("a", 1), response("b", 1)])
    landed_days_ago(warehouse, 40, "true")
    purge_raw_payloads(warehouse, days=30)

    again = land(warehouse, [response("a", 1)])
    newer = land(warehouse, [response("b", 2, comment="Fixed now")])

    assert (again.unchanged, again.updated, newer.updated) == (1, 0, 1)
    assert raw(warehouse) == [
        ("a", 4, "Slow app", "kim@example.com", True, True),
        ("b", 4, "Fixed now", "kim@example.com", False, False),
    ]


def test_the_retention_setting_is_off_by_default_and_at_least_a_day(tmp_path):
    assert parse_config({}, home=tmp_path).retention.raw_payload_days is None
    assert parse_config({"retention": {"raw_payload_days": 90}}, home=tmp_path).retention.raw_payload_days == 90
    with pytest.raises(ConfigError, match="retention.raw_payload_days"):
        parse_config({"retention": {"raw_payload_days": 0}}, home=tmp_path)


def test_the_nightly_job_has_a_retention_step_only_when_retention_is_set(tmp_path):
    sources = [{"name": "exports", "type": "csv", "path": "x/*.csv"}]
    off = parse_config({"sources": sources}, home=tmp_path)
    on = parse_config({"sources": sources, "retention": {"raw_payload_days": 30}}, home=tmp_path)

    assert retention_assets(off) == []
    [asset] = retention_assets(on)
    assert asset.key.to_user_string() == "raw_retention"
    assert {key.to_user_string() for key in asset.dependency_keys} == {"raw/csv/responses"}


def test_nps_purge_reports_what_it_purged_and_refuses_without_a_setting(tmp_path):
    warehouse_path = tmp_path / "data" / "warehouse.duckdb"
    warehouse = DuckDBWarehouse(warehouse_path)
    ensure_raw_tables(warehouse, all_raw_tables())
    land(warehouse, [response("old", 1)])
    landed_days_ago(warehouse, 8, "true")
    warehouse.close()
    unset = write_config(tmp_path / "unset", {"warehouse": {"type": "duckdb", "path": str(warehouse_path)}})
    config = write_config(tmp_path, {"retention": {"raw_payload_days": 7}})

    refused = CliRunner().invoke(main, ["purge", "--config", str(unset)])
    purged = CliRunner().invoke(main, ["purge", "--config", str(config)])

    assert refused.exit_code != 0 and "retention.raw_payload_days is not set" in refused.output
    assert purged.exit_code == 0, purged.output
    assert "payloads purged: csv__responses 1; quarantined records deleted: 0" in purged.output
