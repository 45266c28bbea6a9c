"""`nps refresh` as a process of its own against a demo world that the emulator serves from this one,
so a test can kill the refresh (SIGKILL) without killing the APIs it reads, or storm it with faults.
Also what a complete load of that world lands and publishes, computed from the world's files."""
from __future__ import annotations

import json
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
from ingestion.emulators.common import decode_token
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
def served_demo_home(
    home: Path, faults: Faults, warehouse: dict | None = None, http: dict = FAST_HTTP
) -> Iterator[DemoHome]:
    """The demo's world, sources and nps.yaml in `home`, its APIs served by an emulator in this
    process; `warehouse`: nps.yaml's section, when not the demo's DuckDB file; `http`: every API
    source's settings."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    write_world(WorldSpec(seed=7, responses=WORLD_RESPONSES, end_date=yesterday), home / "world")
    write_csv_exports(home / "world")
    with start_emulator(home / "world", faults=faults) as server:
        config = demo_config(server.base_url)
        if warehouse is not None:
            config["warehouse"] = warehouse
        for source in config["sources"]:
            if "base_url" in source:
                source["http"] = dict(http)
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
    landing batch; `action` may return the reply to send instead of the page. Pages are fetched a
    batch ahead of landing: the first batch may still be landing then, but no later one can land."""

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


def killing_once(
    refresh: RefreshProcess, landed: Callable[[], bool], timeout: float = RUN_SECONDS
) -> Callable[[], None]:
    """An AfterFirstDealsBatch action: the page asked for waits until `landed()`, then the refresh
    is killed (after `timeout` regardless; the checks that follow then say what had not landed)."""

    def kill() -> None:
        deadline = time.monotonic() + timeout
        while not landed() and time.monotonic() < deadline:
            time.sleep(0.05)
        refresh.kill()

    return kill


def committed_to_duckdb(warehouse: Path) -> Callable[[], bool]:
    """Whether a commit is in DuckDB's write-ahead log, whole: DuckDB writes the log at commit only
    (a clean close checks it in and removes it), so with the load waiting for a page, a log that has
    not grown for a second holds its landed batch."""
    log = warehouse.with_name(warehouse.name + ".wal")
    seen = {"size": 0, "at": time.monotonic()}

    def committed() -> bool:
        try:
            size = log.stat().st_size
        except FileNotFoundError:
            size = 0
        if size != seen["size"]:
            seen.update(size=size, at=time.monotonic())
        return size > 0 and time.monotonic() - seen["at"] >= 1.0

    return committed


def has_rows(dsn: str, table: str) -> Callable[[], bool]:
    def landed() -> bool:
        with querying(dsn) as query:
            return query(f"select count(*) from {table}")[0][0] > 0

    return landed


# --- What a complete load of the world lands and publishes --------------------------------------


def world_raw_counts(home: DemoHome) -> dict[str, int]:
    """raw table -> how many records the world holds for it."""
    tools = Counter(row["survey_tool"] for row in world_rows(home.world, "responses"))
    counts = {f"{tool}__responses": n for tool, n in tools.items()}
    for table, kind in {"companies": "customers", "contacts": "contacts", "deals": "deals"}.items():
        counts[f"hubspot__{table}"] = len(world_rows(home.world, kind))
    for table, activity_type in {"tasks": "task", "notes": "note"}.items():
        counts[f"hubspot__{table}"] = len(home.server.world.select("activities", activity_type=activity_type))
    return counts


@contextmanager
def querying(warehouse: Path | str) -> Iterator[Callable[..., list[tuple]]]:
    """`query(sql, params)` on a DuckDB warehouse file or a PostgreSQL DSN. The file is opened
    read-only: a write-ahead log a killed process left is replayed in memory, and left for the next
    writer to check in."""
    if isinstance(warehouse, Path):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            yield lambda sql, params=(): con.execute(sql, list(params)).fetchall()
        finally:
            con.close()
        return
    import psycopg2

    con = psycopg2.connect(warehouse)
    con.autocommit = True

    def query(sql: str, params=()) -> list[tuple]:
        with con.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), tuple(params))
            return cursor.fetchall()

    try:
        yield query
    finally:
        con.close()


def raw_state(warehouse: Path | str) -> dict[str, tuple[int, int]]:
    """raw table -> (rows, distinct natural keys), for the tables of the demo's sources."""
    with querying(warehouse) as query:
        existing = {name for (name,) in query("select table_name from information_schema.tables where table_schema = 'raw'")}
        state = {}
        for connector_type in ("csv", "qualtrics", "surveymonkey", "typeform", "delighted", "hubspot"):
            for table in CONNECTORS[connector_type].tables.values():
                if table.name in existing:
                    key = ", ".join(table.key)
                    state[table.name] = query(f"select count(*), count(distinct ({key})) from {table.qualified_name}")[0]
        return state


def read_cursor_of(warehouse: Path | str, source: str, object_name: str) -> str | None:
    with querying(warehouse) as query:
        rows = query("select cursor from raw.cursors where _source = ? and object = ?", [source, object_name])
    return rows[0][0] if rows else None


def assert_no_duplicates(state: dict[str, tuple[int, int]]) -> None:
    duplicated = {table: rows - keys for table, (rows, keys) in state.items() if rows != keys}
    assert duplicated == {}, f"records landed twice: {duplicated}"


def assert_deals_stopped_between_batches(home: DemoHome, warehouse: Path | str) -> None:
    """HubSpot's deals stopped after a landing batch: some landed, with a cursor that moved with what
    landed and not past it (the page it asks for next starts after those rows)."""
    deals, world = raw_state(warehouse)["hubspot__deals"][0], world_raw_counts(home)["hubspot__deals"]
    assert 0 < deals < world, f"{deals} of the world's {world} deals landed"
    cursor = json.loads(read_cursor_of(warehouse, "hubspot", "deals"))
    assert decode_token(cursor["after"])["offset"] == deals, "the cursor moved past what landed"


def assert_lands_the_world(home: DemoHome, warehouse: Path | str | None = None, but: str | None = None) -> None:
    """Every raw table (but one, if named) holds exactly the world's records, none twice."""
    state = raw_state(warehouse or home.warehouse)
    assert_no_duplicates(state)
    landed = {table: rows for table, (rows, _) in state.items() if rows and table != but}
    assert landed == {table: n for table, n in world_raw_counts(home).items() if n and table != but}


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
        survey_type: (len(scores), int((scores >= 9).sum()), int(scores.between(7, 8).sum()), int((scores <= 6).sum()))
        for survey_type, scores in responses.groupby("survey_type")["score"]
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
