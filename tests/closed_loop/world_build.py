"""A small synthetic world served by the emulator, landed for real (HubSpot and Salesforce objects
through their connectors, responses from the world's CSV files) and built with dbt up to the
drivers and follow-up marts, with the follow-up status judged at a fixed moment."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ingestion.connectors import CONNECTORS
from ingestion.connectors.base import SourceConfig
from ingestion.emulators import EmulatorServer
from ingestion.ingest import ingest
from ingestion.synthetic import WorldSpec
from ingestion.warehouse import open_warehouse
from orchestration.config import parse_config
from tests.dbt.warehouses import duckdb_environment, read_duckdb, run_dbt

WORLD_SPEC = WorldSpec(seed=23, responses=400, end_date=date(2025, 3, 31), months=3)
STATUS_AS_OF = datetime(2025, 3, 30, 12, tzinfo=UTC)
REPORTING_TIMEZONE = "Europe/Amsterdam"
DBT_VARS = json.dumps({
    "reporting_timezone": REPORTING_TIMEZONE, "min_responses": 3, "follow_up_as_of": STATUS_AS_OF.isoformat(),
})  # fmt: skip
FAST_HTTP = {
    "requests_per_second": 1000, "backoff_seconds": 0.001, "max_backoff_seconds": 0.01,
    "server_wait_scale": 0.01, "max_attempts": 4, "read_timeout_seconds": 5,
}  # fmt: skip


@dataclass(frozen=True)
class Built:
    warehouse: Path
    target: Path

    def read(self, sql: str) -> list[dict[str, Any]]:
        return read_duckdb(self.warehouse, sql)


def crm_sources(server: EmulatorServer, **writeback: dict[str, Any]) -> list[SourceConfig]:
    """The HubSpot and Salesforce sources pointed at `server`; writeback={"hubspot": {...}} sets theirs."""
    entries = [
        {"name": "hubspot", "type": "hubspot", "base_url": server.vendor_url("hubspot"), "access_token": "demo-token"},
        {"name": "salesforce", "type": "salesforce", "base_url": server.vendor_url("salesforce"), "access_token": "demo-token"},
    ]  # fmt: skip
    for entry in entries:
        entry["http"] = FAST_HTTP
        if entry["type"] in writeback:
            entry["writeback"] = writeback[entry["type"]]
    return parse_config({"sources": entries}, home=Path(".")).sources


def build(world_dir: Path, server: EmulatorServer, folder: Path) -> Built:
    warehouse_path, target = folder / "warehouse.duckdb", folder / "target"
    exports = parse_config(
        {"sources": [{"name": "exports", "type": "csv", "path": str(world_dir / "responses" / "*.csv")}]}, home=world_dir
    ).sources[0]
    with open_warehouse(warehouse_path) as warehouse:
        for source in [*crm_sources(server), exports]:
            for object_name in CONNECTORS[source.type].tables:
                ingest(warehouse, source, object_name, batch_id="closed-loop")
    run_dbt(
        ["build", "--select", "+marts.drivers", "+marts.follow_up", "--indirect-selection", "cautious", "--vars", DBT_VARS],
        duckdb_environment(warehouse_path),
        target,
    )
    return Built(warehouse_path, target)
