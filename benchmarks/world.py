"""The benchmark's world folder and the nps.yaml that reads it through the emulator."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import yaml

from ingestion.synthetic import WorldSpec, write_world
from orchestration.demo import demo_config, write_csv_exports

SEED = 1
UNPACED_REQUESTS_PER_SECOND = 10_000  # far above what one client reaches


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


def write_config(home: Path, emulator_url: str, vendor_rate_limits: bool = True) -> Path:
    """The demo's configuration (every emulated tool, the CRM and the CSV exports) under `home`.
    Without the vendors' rate limits the connectors' own pacing (which keeps them under those limits)
    is lifted too, so that ingestion measures our code, as the bare loop does."""
    config = demo_config(emulator_url)
    if not vendor_rate_limits:
        for source in config["sources"]:
            if source["type"] != "csv":
                source["http"] = {"requests_per_second": UNPACED_REQUESTS_PER_SECOND}
    path = home / "nps.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path
