"""The benchmark's world folder and the nps.yaml that reads it through the emulator."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import yaml

from ingestion.synthetic import WorldSpec, write_world
from orchestration.demo import demo_config, write_csv_exports

SEED = 1


def generate(world: Path, responses: int, end_date: date) -> dict[str, float]:
    """Write (or overwrite, for one more day) the world; the CSV exports are timed apart."""
    started = time.perf_counter()
    summary = write_world(WorldSpec(seed=SEED, responses=responses, end_date=end_date), world)
    generated = time.perf_counter()
    write_csv_exports(world)
    return {
        "responses": summary.tables["responses"],
        "write_world_seconds": generated - started,
        "csv_exports_seconds": time.perf_counter() - generated,
    }


def write_config(home: Path, emulator_url: str) -> Path:
    """The demo's configuration (every emulated tool, the CRM and the CSV exports) under `home`."""
    path = home / "nps.yaml"
    path.write_text(yaml.safe_dump(demo_config(emulator_url), sort_keys=False), encoding="utf-8")
    return path
