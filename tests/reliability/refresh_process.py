"""`nps refresh` as a process of its own against a demo world that the emulator serves from this one,
so a test can kill the refresh (SIGKILL) without killing the APIs it reads, or storm it with faults.
Also what a complete load of that world lands and publishes, computed from the world's files."""
from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingestion.connectors import CONNECTORS
from ingestion.connectors.hubspot import LIST_LIMIT
from ingestion.emulators import EmulatorServer, Faults, start_emulator
from ingestion.emulators.server import Request, Response
from ingestion.ingest import LANDING_BATCH_RECORDS
from ingestion.synthetic import WorldSpec, write_world
from orchestration.demo import demo_config, write_csv_exports
from reporting.summary import last_full_quarter
from tests.conftest import write_config
from tests.connectors.emulated import world_rows
from tests.foundation.test_demo import world_nps_by_product

NPS = Path(sys.executable).parent / "nps"
# More HubSpot deals than one landing batch holds (~5,500), so a load can stop between two batches.
WORLD_RESPONSES = 3000
# Retries that take milliseconds; a reply started after 1 s is a timeout.
FAST_HTTP = {
    "requests_per_second": 1000,
    "backoff_seconds": 0.001,
    "max_backoff_seconds": 0.01,
    "server_wait_scale": 0.01,
    "max_attempts": 12,
    "read_timeout_seconds": 1,
}
RUN_SECONDS = 900  # a whole refresh on a busy two-core machine, with room to spare


@dataclass
class DemoHome:
    home: Path
    server: EmulatorServer

    @property
    def world(self) -> Path:
        return self.home / "world"

    @property
    def config(self) -> Path:
        return self.home / "nps.yaml"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    @property
    def reporting_files(self) -> list[Path]:
        return [self.data / "reporting.duckdb", self.data / "reporting_restricted.duckdb"]


@contextmanager
def served_demo_home(home: Path, faults: Faults) -> Iterator[DemoHome]:
    """The demo's world, sources and nps.yaml in `home`, its APIs served by an emulator in this process."""
    write_world(WorldSpec(seed=7, responses=WORLD_RESPONSES, end_date=datetime.now(UTC).date() - timedelta(days=1)), home / "world")
    write_csv_exports(home / "world")
    with start_emulator(home / "world", faults=faults) as server:
        config = demo_config(server.base_url)
        for source in config["sources"]:
            if "base_url" in source:
                source["http"] = dict(FAST_HTTP)
            if source["type"] == "qualtrics":
                source["poll_seconds"] = 0
        write_config(home, config)
        yield DemoHome(home, server)


class RefreshProcess:
    """`nps refresh --config ...` in its own process, its output collected as it comes. It keeps its
    Dagster instance under data/dagster (as for a user), not the test's DAGSTER_HOME."""

    def __init__(self, config: Path):
        env = {name: value for name, value in os.environ.items() if name != "DAGSTER_HOME"}
        self.process = subprocess.Popen(
            [str(NPS), "refresh", "--config", str(config)],
            cwd=config.parent, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: nothing in the refresh runs after it."""
        self.process.kill()

    def finish(self, timeout: float = RUN_SECONDS) -> int:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"the refresh did not finish in {timeout:.0f}s; its output:\n{self.output}")
        self._reader.join(10)
        return code

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = RUN_SECONDS) -> None:
        """Polls `condition` often (a few ms), so a short window is not missed."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the refresh ended ({self.process.returncode}) before {what}; its output:\n{self.output}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"no sign of {what} after {timeout:.0f}s; the refresh's output:\n{self.output}")
            time.sleep(0.005)


def killed(refresh: RefreshProcess) -> None:
    refresh.kill()
    assert refresh.finish() == -signal.SIGKILL


def children_of(pid: int) -> dict[int, str]:
    """pid -> command line of each living child process (Linux /proc)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                children[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):  # it ended while we looked
            continue
    return children


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class AfterFirstDealsBatch:
    """Runs `action` on every request of HubSpot's deal list for a page after those of the first
    landing batch. Pages are fetched as the load goes, so by the first such request that batch has
    landed with its cursor. `action` may return the reply to send instead of the page."""

    PAGES = math.ceil(LANDING_BATCH_RECORDS / LIST_LIMIT)

    def __init__(self, server: EmulatorServer, action: Callable[[], Response | None]):
        self.vendor = server.vendors["hubspot"]
        self.action = action
        self.pages: set[str | None] = set()  # `after` tokens asked for: one per page received before
        self._lock = threading.Lock()
        self._original = self.vendor.handle
        self.vendor.handle = self._handle

    def remove(self) -> None:
        self.vendor.handle = self._original

    def _handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/crm/v3/objects/deals":
            with self._lock:
                self.pages.add(request.arg("after"))
                later = len(self.pages) > self.PAGES
            if later and (reply := self.action()) is not None:
                return reply
        return self._original(request)


# --- What a complete load of the world lands and publishes --------------------------------------


def world_raw_counts(home: DemoHome) -> dict[str, int]:
    """raw table -> how many records the world holds for it."""
    counts = {f"{tool}__responses": n for tool, n in Counter(r["survey_tool"] for r in world_rows(home.world, "responses")).items()}
    for table, kind in {"companies": "customers", "contacts": "contacts", "deals": "deals"}.items():
        counts[f"hubspot__{table}"] = len(world_rows(home.world, kind))
    for table, activity_type in {"tasks": "task", "notes": "note"}.items():
        counts[f"hubspot__{table}"] = len(home.server.world.select("activities", activity_type=activity_type))
    return counts


def raw_state(warehouse: Path) -> dict[str, tuple[int, int]]:
    """raw table -> (rows, distinct natural keys), for the tables of the demo's sources. Opened
    read-only: a write-ahead log a killed process left is replayed in memory, and left for the next
    writer to check in."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        existing = {name for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()}
        state = {}
        for connector_type in ("csv", "qualtrics", "surveymonkey", "typeform", "delighted", "hubspot"):
            for table in CONNECTORS[connector_type].tables.values():
                if table.name in existing:
                    key = ", ".join(table.key)
                    state[table.name] = con.execute(
                        f"select count(*), count(distinct ({key})) from {table.qualified_name}"
                    ).fetchone()
        return state
    finally:
        con.close()


def read_cursor_of(warehouse: Path, source: str, object_name: str) -> str | None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("select cursor from raw.cursors where _source = ? and object = ?", [source, object_name]).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def assert_no_duplicates(state: dict[str, tuple[int, int]]) -> None:
    duplicated = {table: rows - keys for table, (rows, keys) in state.items() if rows != keys}
    assert duplicated == {}, f"records landed twice: {duplicated}"


def assert_lands_the_world(home: DemoHome) -> None:
    state = raw_state(home.warehouse)
    assert_no_duplicates(state)
    assert {table: rows for table, (rows, _) in state.items() if rows} == world_raw_counts(home)


def reporting_snapshot(path: Path) -> tuple[str, dict[str, int]] | None:
    """(the run that published it, rows per table) of a reporting database; None when there is none.
    Opening it and counting every table is what a half-written file would fail."""
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [name for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()]
        rows = {name: con.execute(f'select count(*) from main."{name}"').fetchone()[0] for name in tables}
        (run_id,) = con.execute("select run_id from main._published").fetchone()
        return run_id, rows
    finally:
        con.close()


def assert_publishes_the_world(home: DemoHome, today: date) -> None:
    """The published NPS equals the world's, computed apart: every response, per survey type, and
    the last full quarter by product."""
    responses = pd.concat(pd.read_csv(path) for path in sorted((home.world / "responses").glob("*.csv")))
    expected = {
        survey_type: (len(group), int((group["score"] >= 9).sum()), int(group["score"].between(7, 8).sum()), int((group["score"] <= 6).sum()))
        for survey_type, group in responses.groupby("survey_type")
    }
    quarter = last_full_quarter(today)
    con = duckdb.connect(str(home.data / "reporting.duckdb"), read_only=True)
    try:
        totals = con.execute(
            "select survey_type, cast(sum(responses) as bigint), cast(sum(promoters) as bigint),"
            " cast(sum(passives) as bigint), cast(sum(detractors) as bigint)"
            " from nps_overall where period_grain = 'month' group by survey_type"
        ).fetchall()
        by_product = con.execute(
            "select survey_type, product, responses, nps from nps_by_product where period_grain = 'quarter' and period_start = ?",
            [quarter],
        ).fetchall()
    finally:
        con.close()
    assert {survey_type: tuple(counts) for survey_type, *counts in totals} == expected
    assert {(t, p): (n, pytest.approx(nps)) for t, p, n, nps in by_product} == world_nps_by_product(home.world, quarter)
