"""The `nps` command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from orchestration.config import ConfigError, find_config_file, load_config

config_option = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
    help="nps.yaml to use (default: $NPS_CONFIG, else ./nps.yaml).",
)  # fmt: skip


@click.group()
def main() -> None:
    """Net Promoter Score platform: ingest surveys and CRM, model, check, publish."""


@main.command()
@config_option
@click.option("--full-refresh", is_flag=True, help="Ignore cursors and rebuild incremental models.")
@click.option("--verbose", is_flag=True, help="Dagster's full log instead of one line per step.")
def refresh(config_file: Path | None, full_refresh: bool, verbose: bool) -> None:
    """Run the nightly_refresh job: ingestion, dbt build, checks, publish."""
    from orchestration.refresh import run_refresh

    path = find_config_file(config_file)
    outcome = _or_exit(lambda: run_refresh(path, full_refresh=full_refresh, verbose=verbose))
    _report(outcome)
    sys.exit(0 if outcome.success else 1)


@main.command()
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for nps.yaml, the demo world and data/.")
@click.option("--responses", type=click.IntRange(min=100), default=20_000, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--emulator-port", type=int, default=8765, show_default=True,
              help="Port of the local survey-tool and CRM emulator (0: any free port).")
def demo(home: Path, responses: int, seed: int, emulator_port: int) -> None:
    """Generate a demo world, serve it through emulated survey-tool and CRM APIs, refresh, summarise."""
    from orchestration.demo import run_demo

    outcome = run_demo(home.resolve(), responses=responses, seed=seed, emulator_port=emulator_port)
    _report(outcome)
    sys.exit(0 if outcome.success else 1)


@main.command("import")
@config_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Name of the csv source the rows belong to.")
def import_files(config_file: Path | None, files: tuple[Path, ...], source: str) -> None:
    """Load canonical CSV files into a csv source's raw table."""
    from orchestration.imports import import_csv_files

    config = _or_exit(lambda: load_config(find_config_file(config_file)))
    for result in _or_exit(lambda: import_csv_files(config, source, list(files))):
        click.echo(
            f"{result.path}: {result.counts.landed} new, {result.counts.updated} updated, "
            f"{result.counts.unchanged} unchanged, {result.counts.quarantined} quarantined"
        )
        for reason, count in result.quarantine_reasons.items():
            click.echo(f"  quarantined {count}x: {reason}")


@main.command()
@config_option
def status(config_file: Path | None) -> None:
    """The last run, its outcome, and the row counts of the reporting marts."""
    from orchestration.status import render_status

    path = find_config_file(config_file)
    click.echo(_or_exit(lambda: render_status(path, load_config(path))))


@main.command()
@click.option("--world", "world_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Synthetic world folder to serve (see ingestion/synthetic).")
@click.option("--port", type=int, default=8765, show_default=True)
def emulate(world_dir: Path, port: int) -> None:
    """Serve the world as the survey tools' and CRMs' APIs on 127.0.0.1 until interrupted."""
    import time

    from ingestion.emulators import start_emulator

    with start_emulator(world_dir, port=port) as server:
        click.echo(f"Emulating Qualtrics, SurveyMonkey, Typeform, Delighted, HubSpot and Salesforce at {server.base_url}")
        click.echo("Accepted token: demo-token. Press Ctrl+C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("Stopped.")


@main.command()
@config_option
def report(config_file: Path | None) -> None:
    """Build the NPS report (data/report/index.html) from the reporting database."""
    from orchestration.report import build_report
    from reporting.report import ReportDataError

    config = _or_exit(lambda: load_config(find_config_file(config_file)))
    try:
        path = build_report(config)
    except ReportDataError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"NPS report written: {path}")


@main.command()
@config_option
@click.option("--dry-run", is_flag=True, help="Print what would change in the CRMs; write nothing.")
def writeback(config_file: Path | None, dry_run: bool) -> None:
    """Write each customer's latest rating back to the CRMs (sources with writeback.enabled)."""
    from ingestion.warehouse import open_warehouse
    from reporting.crm_writeback import describe, write_back, writeback_sources

    config = _or_exit(lambda: load_config(find_config_file(config_file)))
    sources = writeback_sources(config.sources)
    if not sources:
        click.echo("No CRM source has writeback.enabled; nothing to write.")
        return
    try:
        with open_warehouse(config.warehouse) as warehouse:
            results = [write_back(warehouse, source, dry_run=dry_run) for source in sources]
    except LookupError as error:  # the models were never built
        raise click.ClickException(str(error)) from None
    for result in results:
        for line in describe(result):
            click.echo(line)
    sys.exit(1 if any(result.failures for result in results) else 0)


@main.command()
@config_option
def docs(config_file: Path | None) -> None:
    """Build the dbt documentation site (models, columns, lineage) into data/docs/dbt/."""
    from orchestration.report import materialize_dbt_docs

    click.echo(f"dbt docs written: {_or_exit(lambda: materialize_dbt_docs(find_config_file(config_file)))}")


@main.command("forget-customer")
@config_option
@click.argument("customer_id")
@click.option("--email", "emails", multiple=True, help="An address to erase that the CRM does not know (repeatable).")
def forget_customer(config_file: Path | None, customer_id: str, emails: tuple[str, ...]) -> None:
    """Erase a customer from raw data, quarantine and write-back state, then rebuild the models and
    the reporting database from what remains."""
    from ingestion.erasure import forget_customer as erase
    from ingestion.warehouse import open_warehouse
    from orchestration.refresh import run_refresh

    path = find_config_file(config_file)
    config = _or_exit(lambda: load_config(path))
    with open_warehouse(config.warehouse) as warehouse:
        deleted = erase(warehouse, customer_id, list(emails))
    click.echo(f"Erased {sum(deleted.values())} landed rows: " + ", ".join(f"{t} {n}" for t, n in deleted.items() if n))
    click.echo("Rebuilding the models and the reporting database without them ...")
    outcome = _or_exit(lambda: run_refresh(path, full_refresh=True, rebuild_only=True))
    _report(outcome)
    sys.exit(0 if outcome.success else 1)


@main.command()
def prepare() -> None:
    """Parse the dbt project once (the manifest Dagster loads)."""
    from orchestration.dbt import ensure_manifest

    click.echo(f"dbt manifest ready: {ensure_manifest()}")


def _or_exit(action):
    from orchestration.refresh import RefreshAlreadyRunning

    try:
        return action()
    except (ConfigError, RefreshAlreadyRunning) as error:
        raise click.ClickException(str(error)) from None


def _report(outcome) -> None:
    for line in outcome.warned_checks:
        click.echo(f"  warning, check: {line}", err=True)
    if outcome.success:
        click.echo(f"Refresh succeeded (run {outcome.run_id}).")
        return
    click.echo(f"Refresh FAILED (run {outcome.run_id}).", err=True)
    for line in outcome.failed_steps:
        click.echo(f"  failed step: {line}", err=True)
    for line in outcome.failed_checks:
        click.echo(f"  failed check: {line}", err=True)
    if outcome.skipped_assets:
        click.echo(f"  not materialized: {', '.join(outcome.skipped_assets)}", err=True)
    click.echo("  The reporting database was left as it was. See `nps status`.", err=True)
    if outcome.log_path:
        click.echo(f"  Full log: {outcome.log_path}", err=True)
