"""`nps refresh` killed outright (SIGKILL) while loading, while dbt builds and while publishing: the
lock is free again, the warehouse opens, nothing landed twice, the reporting database is the last
good one (or none), and the next refresh finishes with exactly the world's counts."""
from __future__ import annotations

import re
import signal
import time
from datetime import UTC, datetime

import pytest

from ingestion.connectors import CONNECTORS
from ingestion.emulators import Faults
from ingestion.ingest import ingest
from ingestion.warehouse import open_warehouse
from orchestration.config import load_config
from orchestration.refresh import refresh_lock
from tests.reliability.refresh_process import (
    AfterFirstDealsBatch,
    DemoHome,
    RefreshProcess,
    assert_deals_stopped_between_batches,
    assert_lands_the_world,
    assert_no_duplicates,
    assert_publishes_the_world,
    children_of,
    committed_to_duckdb,
    has_rows,
    killed,
    killing_once,
    querying,
    raw_state,
    reporting_snapshot,
    running,
    served_demo_home,
)

# A page held back until the test has seen the batch before it land is not a timeout.
PATIENT_HTTP = {"requests_per_second": 1000, "read_timeout_seconds": 600}
# dbt's log line for the incremental model every mart reads: killed after it, dbt has changed the
# warehouse and not yet rebuilt the marts from it.
CONFORMED_BUILT = re.compile(r"OK created sql incremental model intermediate\.int_responses_conformed")


@pytest.mark.slow
def test_a_refresh_killed_while_loading_modelling_or_publishing_leaves_nothing_the_next_cannot_finish(tmp_path):
    today = datetime.now(UTC).date()
    with served_demo_home(tmp_path, Faults(enforce_rate_limits=False), http=PATIENT_HTTP) as home:
        killed_while_loading(home)
        killed_while_dbt_builds(home)

        finished = RefreshProcess(home.config)
        assert finished.finish() == 0, finished.output
        assert_lands_the_world(home)
        assert_publishes_the_world(home, today)
        assert not list(home.data.glob("*.next")), "a publish left its staging file"
        published = [reporting_snapshot(path) for path in home.reporting_files]

        killed_while_publishing(home)
        assert [reporting_snapshot(path) for path in home.reporting_files] == published
        assert_lands_the_world(home)


def killed_while_loading(home: DemoHome) -> None:
    """Killed as HubSpot's deals load, after its first batch landed and before the rest."""
    refresh = RefreshProcess(home.config)
    hook = AfterFirstDealsBatch(home.server, killing_once(refresh, committed_to_duckdb(home.warehouse)))
    try:
        assert refresh.finish() == -signal.SIGKILL, refresh.output
    finally:
        hook.remove()

    assert_free_lock(home)
    assert (home.data / "warehouse.duckdb.wal").exists(), "the landed batch is only in the write-ahead log"
    assert_no_duplicates(raw_state(home.warehouse))
    assert_deals_stopped_between_batches(home, home.warehouse)
    assert all(reporting_snapshot(path) is None for path in home.reporting_files)


def killed_while_dbt_builds(home: DemoHome) -> None:
    """Killed once dbt has built the incremental conformed responses; dbt stops with the refresh."""
    dbt_log = home.data / "dbt_target" / "dbt.log"
    logged = dbt_log.stat().st_size if dbt_log.exists() else 0
    refresh = RefreshProcess(home.config)

    def conformed_built() -> bool:
        if not dbt_log.exists():
            return False
        with dbt_log.open("rb") as handle:
            handle.seek(logged)
            return CONFORMED_BUILT.search(handle.read().decode("utf-8", "replace")) is not None

    refresh.wait_until(conformed_built, "dbt building intermediate.int_responses_conformed")
    children = children_of(refresh.pid)
    dbt = {pid: command for pid, command in children.items() if "dbt" in command and " build" in command}
    assert dbt, f"no dbt build among the refresh's processes: {children}"
    killed(refresh)

    deadline = time.monotonic() + 30
    while any(running(pid) for pid in dbt) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in dbt), f"dbt outlived the refresh: {dbt}"
    with dbt_log.open("rb") as handle:
        handle.seek(logged)
        assert b"Completed successfully" not in handle.read(), "dbt went on building after the refresh died"
    assert_free_lock(home)
    assert_no_duplicates(raw_state(home.warehouse))
    assert all(reporting_snapshot(path) is None for path in home.reporting_files)


def killed_while_publishing(home: DemoHome) -> None:
    """Killed while the new reporting database is being written next to the published one."""
    staging = home.data / "reporting.duckdb.next"
    refresh = RefreshProcess(home.config)
    refresh.wait_until(staging.exists, "the new reporting database being written")
    killed(refresh)
    assert_free_lock(home)


def assert_free_lock(home: DemoHome) -> None:
    """The kernel released the dead refresh's lock: the next refresh can take it."""
    with refresh_lock(home.data):
        pass


@pytest.mark.postgres
@pytest.mark.slow
def test_on_postgresql_a_refresh_killed_while_loading_leaves_no_open_transaction_and_the_loads_resume(
    tmp_path, postgres_database
):
    dbname = postgres_database.split("dbname=")[1]
    warehouse = {"type": "postgres", "host": "127.0.0.1", "port": 5432, "dbname": dbname, "user": "postgres"}
    with served_demo_home(tmp_path, Faults(enforce_rate_limits=False), warehouse, PATIENT_HTTP) as home:
        refresh = RefreshProcess(home.config)
        landed = has_rows(postgres_database, "raw.hubspot__deals")
        hook = AfterFirstDealsBatch(home.server, killing_once(refresh, landed))
        try:
            assert refresh.finish() == -signal.SIGKILL, refresh.output
        finally:
            hook.remove()

        assert_free_lock(home)
        # No session of the dead refresh is left behind (one in a transaction would hold its locks).
        deadline = time.monotonic() + 30
        others = "select state from pg_stat_activity where datname = ? and pid <> pg_backend_pid()"
        with querying(postgres_database) as query:
            while sessions := query(others, [dbname]):
                assert time.monotonic() < deadline, f"the dead refresh's sessions linger: {sessions}"
                time.sleep(0.1)
        assert_no_duplicates(raw_state(postgres_database))
        assert_deals_stopped_between_batches(home, postgres_database)

        # Each load picks up at its cursor, as the next refresh's ingestion does.
        config = load_config(home.config)
        with open_warehouse(config.warehouse) as connection:
            for source in config.sources:
                for object_name in CONNECTORS[source.type].tables:
                    ingest(connection, source, object_name, "after-the-kill", data_dir=config.data_dir)
        assert_lands_the_world(home, postgres_database)
