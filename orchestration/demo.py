"""`nps demo`: a synthetic world, a ready nps.yaml, a full refresh, and a summary."""
from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import yaml

from orchestration.refresh import RefreshOutcome, run_refresh

DEMO_MARKER = "# Written by `nps demo`; edit freely (the demo only overwrites files it wrote).\n"


def demo_config(home: Path) -> dict:
    return {
        "warehouse": {"type": "duckdb", "path": "data/warehouse.duckdb"},
        "reporting": {"path": "data/reporting.duckdb", "timezone": "Europe/Amsterdam", "min_responses": 30},
        "sources": [
            {"name": "exports", "type": "csv", "path": "world/responses/*.csv", "survey_type": "transactional"}
        ],
    }


def run_demo(home: Path, responses: int, seed: int) -> RefreshOutcome:
    from ingestion.synthetic import WorldSpec, write_world
    from reporting.summary import quarter_summary

    home.mkdir(parents=True, exist_ok=True)
    config_path = home / "nps.yaml"
    if config_path.exists() and not config_path.read_text(encoding="utf-8").startswith(DEMO_MARKER):
        raise click.ClickException(f"{config_path} exists and was not written by the demo; use another --home")

    today = datetime.now(UTC).date()
    click.echo(f"Generating a demo world of about {responses:,} responses (seed {seed}) in {home / 'world'} ...")
    shutil.rmtree(home / "world", ignore_errors=True)
    write_world(WorldSpec(seed=seed, responses=responses, end_date=today - timedelta(days=1)), home / "world")
    # A demo starts from an empty warehouse: an earlier demo world's records would linger.
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal", "reporting.duckdb"):
        (home / "data" / name).unlink(missing_ok=True)
    config_path.write_text(DEMO_MARKER + yaml.safe_dump(demo_config(home), sort_keys=False), encoding="utf-8")

    click.echo(f"Running the nightly refresh with {config_path} ...")
    outcome = run_refresh(config_path)
    if outcome.success:
        click.echo("")
        click.echo(quarter_summary(home / "data" / "reporting.duckdb", today))
        click.echo("")
        click.echo(f"Reporting database (what BI tools read): {home / 'data' / 'reporting.duckdb'}")
        click.echo(f"Warehouse and customer database:         {home / 'data' / 'warehouse.duckdb'}")
        dagster = Path(sys.executable).parent / "dagster"
        workspace = Path(__file__).resolve().parents[1] / "workspace.yaml"
        click.echo(f"Dagster UI: cd {home} && DAGSTER_HOME={home / 'data' / 'dagster'} {dagster} dev -w {workspace}")
        click.echo("Status:     nps status")
    return outcome
