"""`nps demo`: a synthetic world, a ready nps.yaml, a full refresh, and a summary."""
from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pandas as pd
import yaml

from orchestration.refresh import RefreshOutcome, run_refresh

DEMO_EMULATOR_PORT = 8765
_TOKEN_VARIABLE = re.compile(r"\$\{([A-Z_]+):-demo-token\}")
DEMO_MARKER = "# Written by `nps demo`; edit freely (the demo only overwrites files it wrote).\n"


def demo_config(emulator_url: str) -> dict:
    from ingestion.emulators import demo_sources

    return {
        "warehouse": {"type": "duckdb", "path": "data/warehouse.duckdb"},
        "reporting": {"path": "data/reporting.duckdb", "timezone": "Europe/Amsterdam", "min_responses": 30},
        "sources": [
            *demo_sources(emulator_url),
            {"name": "exports", "type": "csv", "path": "world/exports/*.csv", "survey_type": "transactional"},
        ],
    }


def write_csv_exports(world: Path) -> None:
    """The world's responses collected by CSV export (the other tools serve theirs over their APIs)."""
    (world / "exports").mkdir(exist_ok=True)
    for path in sorted((world / "responses").glob("*.csv")):
        responses = pd.read_csv(path, dtype=str, keep_default_na=False)
        responses[responses["survey_tool"] == "csv"].to_csv(world / "exports" / path.name, index=False)


def run_demo(home: Path, responses: int, seed: int, emulator_port: int = DEMO_EMULATOR_PORT) -> RefreshOutcome:
    from ingestion.emulators import start_emulator
    from ingestion.synthetic import WorldSpec, write_world
    from reporting.summary import quarter_summary

    home.mkdir(parents=True, exist_ok=True)
    config_path = home / "nps.yaml"
    if config_path.exists() and not config_path.read_text(encoding="utf-8").startswith(DEMO_MARKER):
        raise click.ClickException(f"{config_path} exists and was not written by the demo; use another --home")

    today = datetime.now(UTC).date()
    world = home / "world"
    click.echo(f"Generating a demo world of about {responses:,} responses (seed {seed}) in {world} ...")
    shutil.rmtree(world, ignore_errors=True)
    write_world(WorldSpec(seed=seed, responses=responses, end_date=today - timedelta(days=1)), world)
    write_csv_exports(world)
    # A demo starts from an empty warehouse: an earlier demo world's records would linger.
    shutil.rmtree(home / "data", ignore_errors=True)

    with start_emulator(world, port=_free_or_any(emulator_port)) as emulator:
        click.echo(f"Survey tools and CRM emulated at {emulator.base_url}")
        config_text = DEMO_MARKER + yaml.safe_dump(demo_config(emulator.base_url), sort_keys=False)
        config_path.write_text(config_text, encoding="utf-8")
        # Tokens set in the environment for the demo's sources are accepted as well as the default.
        emulator.tokens.update(os.environ[name] for name in _TOKEN_VARIABLE.findall(config_text) if name in os.environ)
        click.echo(f"Running the nightly refresh with {config_path} ...")
        outcome = run_refresh(config_path)
        port = emulator.base_url.rsplit(":", 1)[1]
    if outcome.success:
        reporting = home / "data" / "reporting.duckdb"
        dagster = Path(sys.executable).parent / "dagster"
        workspace = Path(__file__).resolve().parents[1] / "workspace.yaml"
        click.echo("")
        click.echo(quarter_summary(reporting, today))
        click.echo("")
        click.echo(f"Reporting database (what BI tools read): {reporting}")
        click.echo(f"Warehouse and customer database:         {home / 'data' / 'warehouse.duckdb'}")
        click.echo(f"Dagster UI: cd {home} && DAGSTER_HOME={home / 'data' / 'dagster'} {dagster} dev -w {workspace}")
        click.echo(f"To refresh again, serve the world first: nps emulate --world {world} --port {port}")
    return outcome


def _free_or_any(port: int) -> int:
    """The demo's usual port when it is free (so nps.yaml stays valid for `nps emulate`), else any."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port
