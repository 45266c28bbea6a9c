"""Under every fault at once, each connector still lands exactly the world."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from ingestion.connectors import CONNECTORS
from ingestion.emulators import Faults, demo_sources, start_emulator
from ingestion.emulators.world import EmulatedWorld
from ingestion.ingest import ingest
from ingestion.warehouse import open_warehouse
from orchestration.config import parse_config

WORLD_KIND = {"responses": "responses", "companies": "customers", "contacts": "contacts", "deals": "deals"}
ACTIVITY_TYPE = {"tasks": "task", "notes": "note"}  # HubSpot engagements, synthesised by the emulator


def test_every_connector_lands_the_whole_world_through_faults(world_dir, tmp_path):
    faults = Faults(rate_429=0.1, rate_500=0.1, retry_after_seconds=1, truncate_rate=0.05, duplicate_page_rate=0.2, seed=3)
    responses = Counter(row["survey_tool"] for row in _rows(world_dir, "responses"))
    activities = {
        object_name: len(EmulatedWorld.load(world_dir).select("activities", activity_type=activity_type))
        for object_name, activity_type in ACTIVITY_TYPE.items()
    }
    with start_emulator(world_dir, faults=faults) as server, open_warehouse(tmp_path / "w.duckdb") as warehouse:
        faults.enforce_rate_limits = False
        entries = demo_sources(server.base_url)
        for entry in entries:
            entry["http"] = {"requests_per_second": 1000, "backoff_seconds": 0.001, "server_wait_scale": 0.001, "max_attempts": 10}
            entry.update({"poll_seconds": 0} if entry["type"] == "qualtrics" else {})
        config = parse_config({"sources": entries}, home=tmp_path)
        retries = 0
        for source in config.sources:
            for object_name in CONNECTORS[source.type].tables:
                result = ingest(warehouse, source, object_name, batch_id="chaos")
                retries += result.retries
                landed = warehouse.execute(f"select count(*) from raw.{source.type}__{object_name}")[0][0]
                if object_name in ACTIVITY_TYPE:
                    world = activities[object_name]
                else:
                    world = responses[source.type] if object_name == "responses" else len(_rows(world_dir, WORLD_KIND[object_name]))
                assert landed == world, f"{source.type}/{object_name}"

    assert retries > 0


def _rows(world_dir: Path, kind: str) -> list[dict]:
    paths = sorted((world_dir / "responses").glob("*.csv")) if kind == "responses" else [world_dir / "crm" / f"{kind}.csv"]
    return [row for path in paths for row in csv.DictReader(path.open(newline="", encoding="utf-8"))]
