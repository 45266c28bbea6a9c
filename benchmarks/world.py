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
    is lifted too, so that ingestion measures our code, as the bare loop does.

    The quality gate is to judge the world, not the way it was cut: days are cut in UTC, as the world
    ends (at UTC midnight; in Amsterdam its last day would be one hour long, and a first load judges
    every day), and the daily-volume band reaches 3x the median, because the world's relational
    surveys go out in quarterly waves that take a tool to 2.5x its usual day for two weeks (from
    about 1M responses on, those days are large enough to be judged); its floor is a 90 % drop,
    because after a wave a tool of some 16 responses a day is judged against the wave's median (26
    at 100,000 responses) and an ordinary quiet day of 4 reads as an 85 % drop."""
    config = demo_config(emulator_url)
    config["reporting"]["timezone"] = "UTC"
    config["quality"] = {"daily_volume": {"min_ratio": 0.1, "max_ratio": 3.0}}
    if not vendor_rate_limits:
        for source in config["sources"]:
            if source["type"] != "csv":
                source["http"] = {"requests_per_second": UNPACED_REQUESTS_PER_SECOND}
    path = home / "nps.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path
