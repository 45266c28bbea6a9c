"""Backfills: `nps refresh --since/--until` re-fetches those days from the sources and rebuilds them,
in one run, leaving the incremental cursors where they were; the result equals a full refresh."""
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner

from ingestion.emulators import Faults, start_emulator
from ingestion.synthetic import WorldSpec, write_world
from orchestration.cli import main
from orchestration.config import parse_config
from orchestration.demo import demo_config, write_csv_exports
from orchestration.refresh import InvalidBackfill, backfill_days, run_refresh
from tests.conftest import write_config

SPEC = WorldSpec(seed=3, responses=1500, end_date=date(2026, 3, 15), months=2)
SINCE, UNTIL = date(2026, 2, 10), date(2026, 2, 14)  # local days in Europe/Amsterdam (the demo's)
SURVEY_TABLES = ("csv__responses", "qualtrics__responses", "surveymonkey__responses", "typeform__responses", "delighted__responses")
IN_WINDOW = "(responded_at at time zone 'Europe/Amsterdam')::date between date '2026-02-10' and date '2026-02-14'"
# Set by the run itself (when it conformed, when the follow-up status was taken), not by the data.
RUN_TIME_COLUMNS = {"conformed_at", "last_conformed_at", "loaded_at", "status_as_of", "built_at", "previous_customer_id"}


def snapshot(warehouse) -> dict[str, list[tuple]]:
    """Every mart and customer-database table, and the incremental models, without run times."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in ('marts', 'customers')"
            " or table_name in ('int_responses_conformed', 'int_nps_daily_counts') order by 1, 2"
        ).fetchall()
        result = {}
        for schema, table in tables:
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
                " order by ordinal_position", [schema, table]).fetchall() if c not in RUN_TIME_COLUMNS]  # fmt: skip
            result[f"{schema}.{table}"] = con.execute(f"select {', '.join(columns)} from {schema}.{table} order by all").fetchall()
        return result
    finally:
        con.close()


def raw_state(warehouse) -> tuple[dict[str, tuple[int, int]], list[tuple]]:
    """(table -> (rows, distinct keys)) of the survey tables, and the cursors."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = {
            table: con.execute(f"select count(*), count(distinct (_source, response_id)) from raw.{table}").fetchone()
            for table in SURVEY_TABLES
        }
        cursors = con.execute("select _source, object, cursor from raw.cursors order by 1, 2").fetchall()
        return counts, cursors
    finally:
        con.close()


def damage_the_window(warehouse) -> tuple[int, int]:
    """What a backfill must repair: the window's raw responses lost (CSV, SurveyMonkey, Delighted) or
    altered (Qualtrics); and in the models, Typeform's responses of one day lost and a day miscounted.
    Typeform's raw records stay as they are, so only rebuilding the window's days restores those."""
    con = duckdb.connect(str(warehouse))
    try:
        lost = 0
        for table in ("csv__responses", "surveymonkey__responses", "delighted__responses"):
            lost += con.execute(f"select count(*) from raw.{table} where {IN_WINDOW}").fetchone()[0]
            con.execute(f"delete from raw.{table} where {IN_WINDOW}")
        con.execute(f"update raw.qualtrics__responses set score = 10 - score, payload = '{{}}' where {IN_WINDOW}")
        typeform_day = "from intermediate.int_responses_conformed where source_name = 'typeform' and responded_date = date '2026-02-11'"
        conformed_lost = con.execute(f"select count(*) {typeform_day}").fetchone()[0]
        con.execute(f"delete {typeform_day}")
        con.execute("update intermediate.int_nps_daily_counts set detractors = detractors + 7 where responded_date = date '2026-02-12'")
        return lost, conformed_lost
    finally:
        con.close()


@pytest.mark.slow
def test_a_backfill_restores_its_days_as_a_full_refresh_builds_them_and_keeps_the_cursors(tmp_path):
    world = tmp_path / "world"
    write_world(SPEC, world)
    write_csv_exports(world)
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    with start_emulator(world, faults=Faults(enforce_rate_limits=False)) as emulator:
        config = write_config(tmp_path, demo_config(emulator.base_url))
        full = run_refresh(config, full_refresh=True)
        assert full.success, (full.failed_steps, full.failed_checks)
        built, (landed, cursors) = snapshot(warehouse), raw_state(warehouse)
        assert min(damage_the_window(warehouse)) > 0

        backfill = run_refresh(config, since=SINCE, until=UNTIL)

    assert backfill.success, (backfill.failed_steps, backfill.failed_checks)
    restored, cursors_after = raw_state(warehouse)
    assert restored == landed  # every response back, none twice
    assert all(rows == keys for rows, keys in restored.values())
    assert cursors_after == cursors
    after = snapshot(warehouse)
    assert all(built[table] for table in ("marts.nps_overall", "customers.customer_ratings", "intermediate.int_nps_daily_counts"))
    assert sorted(after) == sorted(built)
    assert {table for table in built if after[table] != built[table]} == set()
    # Dagster recorded the days as materialized partitions of the loads and the models.
    with dg.DagsterInstance.get() as instance:
        for key in (["raw", "typeform", "responses"], ["intermediate", "int_responses_conformed"]):
            days = instance.get_materialized_partitions(dg.AssetKey(key))
            assert {f"2026-02-{day}" for day in range(10, 15)} <= days and "2026-02-09" not in days


def test_since_until_must_be_complete_day_partitions_in_order():
    config = parse_config({"reporting": {"timezone": "Europe/Amsterdam"}, "backfill": {"start_date": "2025-01-01"}}, home=Path("."))
    today = date(2026, 3, 16)

    assert backfill_days(config, date(2026, 3, 1), None, today) == (date(2026, 3, 1), date(2026, 3, 15))
    with pytest.raises(InvalidBackfill, match="--since 2026-03-10 is after --until 2026-03-01"):
        backfill_days(config, date(2026, 3, 10), date(2026, 3, 1), today)
    with pytest.raises(InvalidBackfill, match=r"before the first day partition, 2025-01-01 \(backfill.start_date"):
        backfill_days(config, date(2024, 12, 31), None, today)
    with pytest.raises(InvalidBackfill, match="--until 2026-03-16 is not over yet in Europe/Amsterdam; the last complete day is 2026-03-15"):
        backfill_days(config, date(2026, 3, 1), today, today)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "2026-02-30"], "Invalid value for '--since': '2026-02-30' does not match the format '%Y-%m-%d'"),
        (["--since", "yesterday"], "Invalid value for '--since'"),
        (["--since", "2026-02-14", "--until", "2026-02-10"], "--since 2026-02-14 is after --until 2026-02-10"),
        (["--until", "2026-02-10"], "--until needs --since"),
        (["--since", "2026-02-10", "--full-refresh"], "cannot be combined with --since"),
        (["--since", (date.today() + timedelta(days=3)).isoformat()], "is after --until"),
    ],
)
def test_refresh_names_a_bad_backfill_range_before_running_anything(tmp_path, arguments, message):
    config = write_config(tmp_path, {})

    result = CliRunner().invoke(main, ["refresh", "--config", str(config), *arguments])

    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "data").exists()  # refused before anything ran


def test_the_first_day_partition_must_lie_in_the_past():
    from orchestration.config import ConfigError

    with pytest.raises(ConfigError, match=r"backfill.start_date: Value error, \d{4}-\d\d-\d\d is too recent"):
        parse_config({"backfill": {"start_date": date.today().isoformat()}}, home=Path("."))
    assert parse_config({}, home=Path(".")).backfill.start_date == date(2020, 1, 1)
