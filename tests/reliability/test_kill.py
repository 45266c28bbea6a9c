"""`nps refresh` killed outright (SIGKILL) while loading, while dbt builds and while publishing: the
lock is free again, the warehouse opens, nothing landed twice, the reporting database is the last
good one (or none), and the next refresh finishes with exactly the world's counts."""
from __future__ import annotations

import json
import re
import signal
import time
from datetime import UTC, datetime

import pytest

from ingestion.emulators import Faults
from ingestion.emulators.common import decode_token
from orchestration.refresh import refresh_lock
from tests.reliability.refresh_process import (
    AfterFirstDealsBatch,
    DemoHome,
    RefreshProcess,
    assert_lands_the_world,
    assert_no_duplicates,
    assert_publishes_the_world,
    children_of,
    killed,
    raw_state,
    read_cursor_of,
    reporting_snapshot,
    running,
    served_demo_home,
    world_raw_counts,
)

# dbt's log line for the incremental model every mart reads: killed after it, dbt has changed the
# warehouse and not yet rebuilt the marts from it.
CONFORMED_BUILT = re.compile(r"OK created sql incremental model intermediate\.int_responses_conformed")


@pytest.mark.slow
def test_a_refresh_killed_while_loading_modelling_or_publishing_leaves_nothing_the_next_cannot_finish(tmp_path):
    today = datetime.now(UTC).date()
    with served_demo_home(tmp_path, Faults(enforce_rate_limits=False)) as home:
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
    hook = AfterFirstDealsBatch(home.server, refresh.kill)
    try:
        assert refresh.finish() == -signal.SIGKILL, refresh.output
    finally:
        hook.remove()

    assert_free_lock(home)
    assert (home.data / "warehouse.duckdb.wal").exists(), "the landed batch should still be in the write-ahead log"
    state = raw_state(home.warehouse)
    assert_no_duplicates(state)
    deals, world_deals = state["hubspot__deals"][0], world_raw_counts(home)["hubspot__deals"]
    assert 0 < deals < world_deals
    # The cursor moved with what landed, not past it: the next page asked for starts after those rows.
    cursor = json.loads(read_cursor_of(home.warehouse, "hubspot", "deals"))
    assert decode_token(cursor["after"])["offset"] == deals
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
    dbt = {pid: command for pid, command in children_of(refresh.pid).items() if "dbt" in command and " build" in command}
    assert dbt, f"no dbt build among the refresh's processes: {children_of(refresh.pid)}"
    killed(refresh)

    deadline = time.monotonic() + 15
    while any(running(pid) for pid in dbt) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in dbt), f"dbt outlived the refresh: {dbt}"
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
