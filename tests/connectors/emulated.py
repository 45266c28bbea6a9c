"""A small synthetic world served by the emulator, and helpers to point connectors at it (the
fixtures are registered in conftest.py)."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ingestion.connectors.base import SourceConfig
from ingestion.emulators import EmulatorServer, Faults, demo_sources, start_emulator
from ingestion.emulators.common import iso_z
from ingestion.ingest import IngestionResult, ingest
from ingestion.landing import read_cursor
from ingestion.synthetic import WorldSpec, write_world
from ingestion.warehouse import open_warehouse
from orchestration.config import parse_config

WORLD_SPEC = WorldSpec(seed=11, responses=300, end_date=date(2025, 3, 31), months=3)
# Tiny waits so failure scenarios run in milliseconds; server_wait_scale shrinks Retry-After.
FAST_HTTP = {
    "requests_per_second": 1000,
    "backoff_seconds": 0.001,
    "max_backoff_seconds": 0.01,
    "server_wait_scale": 0.01,
    "max_attempts": 4,
    "read_timeout_seconds": 2,
}


@dataclass(frozen=True)
class Case:
    """One connector object and where its records come from in the world."""

    source_type: str
    object_name: str
    world_kind: str  # customers | contacts | deals | responses

    @property
    def id(self) -> str:
        return f"{self.source_type}-{self.object_name}"

    @property
    def table(self) -> str:
        return f"raw.{self.source_type}__{self.object_name}"


SURVEY_CASES = [Case(tool, "responses", "responses") for tool in ("qualtrics", "surveymonkey", "typeform", "delighted")]
CRM_CASES = [
    Case("hubspot", "companies", "customers"),
    Case("hubspot", "contacts", "contacts"),
    Case("hubspot", "deals", "deals"),
    Case("salesforce", "accounts", "customers"),
    Case("salesforce", "contacts", "contacts"),
    Case("salesforce", "opportunities", "deals"),
]
ALL_CASES = SURVEY_CASES + CRM_CASES


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    write_world(WORLD_SPEC, folder)
    return folder


@pytest.fixture
def emulator(world_dir) -> Iterator[EmulatorServer]:
    with start_emulator(world_dir, faults=Faults(enforce_rate_limits=False)) as server:
        yield server


@pytest.fixture
def warehouse(tmp_path):
    with open_warehouse(tmp_path / "warehouse.duckdb") as connection:
        yield connection


def source_config(server: EmulatorServer, source_type: str, **overrides: Any) -> SourceConfig:
    """The demo's source of this type, pointed at `server`, with fast HTTP settings."""
    entries = {entry["type"]: entry for entry in demo_sources(server.base_url)}
    entries["salesforce"] = {
        "name": "salesforce",
        "type": "salesforce",
        "base_url": f"{server.base_url}/salesforce",
        "access_token": "demo-token",
    }
    entry = {**entries[source_type], "http": {**FAST_HTTP, **overrides.pop("http", {})}, **overrides}
    if source_type == "qualtrics":
        entry.setdefault("poll_seconds", 0)
    return parse_config({"sources": [entry]}, home=Path(".")).sources[0]


def run(warehouse, config: SourceConfig, object_name: str, full_refresh: bool = False) -> IngestionResult:
    return ingest(warehouse, config, object_name, batch_id="test", full_refresh=full_refresh)


def count(warehouse, case: Case) -> int:
    return warehouse.execute(f"select count(*) from {case.table}")[0][0]


def cursor(warehouse, config: SourceConfig, case: Case) -> str | None:
    return read_cursor(warehouse, config.name, case.object_name)


def world_rows(world_dir: Path, kind: str) -> list[dict[str, str]]:
    paths = sorted((world_dir / "responses").glob("*.csv")) if kind == "responses" else [world_dir / "crm" / f"{kind}.csv"]
    rows = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def expected(world_dir: Path, case: Case) -> int:
    """How many records the world holds for this connector object."""
    rows = world_rows(world_dir, case.world_kind)
    if case.world_kind == "responses":
        rows = [r for r in rows if r["survey_tool"] == case.source_type]
    return len(rows)


def existing(server: EmulatorServer, case: Case) -> dict[str, Any]:
    """A world record the connector reads (the first in load order)."""
    equal = {"survey_tool": case.source_type} if case.world_kind == "responses" else {}
    return server.world.select(case.world_kind, **equal)[0]


def add_new(server: EmulatorServer, case: Case, number: int, **extra: Any) -> dict[str, Any]:
    """A new record for this connector, made now (so it is after every cursor)."""
    template = {k: v for k, v in existing(server, case).items() if not k.startswith("_")}
    now = iso_z(server.world.tick())
    key = {"responses": "response_id", "customers": "customer_id", "contacts": "contact_id", "deals": "deal_id"}[case.world_kind]
    new_id = {"responses": f"RNEW{number:06d}", "customers": f"C9{number:07d}", "contacts": f"P9{number:07d}", "deals": f"DNEW{number:06d}"}[case.world_kind]  # fmt: skip
    record = {**template, key: new_id, "created_at": now, "updated_at": now, "responded_at": now, **extra}
    if case.world_kind == "customers":
        record["churned_at"] = ""
    return server.world.upsert(case.world_kind, record)


CHANGES = {
    # world kind -> (change to make, raw column and value that show it landed)
    "responses": ({"score": "3", "comment": "changed by the test"}, "comment", "changed by the test"),
    "customers": ({"name": "Renamed Testers BV"}, "name", "Renamed Testers BV"),
    "contacts": ({"last_name": "Changed-Name"}, None, "Changed-Name"),
    "deals": ({"amount": "999.25"}, "amount", 999.25),
}
LAST_NAME_COLUMN = {"hubspot": "lastname", "salesforce": "lastname"}


def change_existing(server: EmulatorServer, case: Case) -> tuple[str, Any]:
    """Change a record the connector has read; returns (raw column, value) that show the change."""
    row = existing(server, case)
    key = {"responses": "response_id", "customers": "customer_id", "contacts": "contact_id", "deals": "deal_id"}[case.world_kind]
    change, column, value = CHANGES[case.world_kind]
    server.world.upsert(case.world_kind, {key: row[key], **change})
    return column or LAST_NAME_COLUMN[case.source_type], value
