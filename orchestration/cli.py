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
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Backfill: fetch the days from this one again and rebuild them (cursors stay).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Last day of the backfill (default: yesterday in reporting.timezone).")
@click.option("--verbose", is_flag=True, help="Dagster's full log instead of one line per step.")
def refresh(config_file: Path | None, full_refresh: bool, since, until, verbose: bool) -> None:
    """Run the nightly_refresh job: ingestion, dbt build, checks, publish. With --since: a backfill of
    those days, in one run."""
    from orchestration.refresh import run_refresh

    path = find_config_file(config_file)
    since, until = (moment.date() if moment else None for moment in (since, until))
    outcome = _or_exit(
        lambda: run_refresh(path, full_refresh=full_refresh, verbose=verbose, since=since, until=until)
    )
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
            + (f", {result.counts.suppressed} suppressed (erased)" if result.counts.suppressed else "")
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
    sys.exit(1 if any(result.failures or result.stopped for result in results) else 0)


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
    the reporting database from what remains. Later loads drop the customer's records."""
    from ingestion.erasure import forget_customer as erase
    from ingestion.warehouse import open_warehouse
    from orchestration.refresh import run_refresh

    path = find_config_file(config_file)
    config = _or_exit(lambda: load_config(path))

    def run():
        with open_warehouse(config.warehouse) as warehouse:
            return erase(warehouse, customer_id, list(emails), config.data_dir)

    erasure = _or_exit(run)
    deleted = erasure.deleted
    click.echo(f"Erased {sum(deleted.values())} landed rows: " + ", ".join(f"{t} {n}" for t, n in deleted.items() if n))
    click.echo(
        f"{erasure.identifiers_added} identifiers added to the erased-identifier list (keyed hashes): "
        "later loads drop their records."
    )
    click.echo("Rebuilding the models and the reporting database without them ...")
    outcome = _or_exit(lambda: run_refresh(path, full_refresh=True, rebuild_only=True))
    _report(outcome)
    sys.exit(0 if outcome.success else 1)


@main.command()
@config_option
def purge(config_file: Path | None) -> None:
    """Purge raw payloads and quarantined records landed more than retention.raw_payload_days ago
    (the nightly refresh does this too)."""
    from ingestion.retention import purge_raw_payloads
    from ingestion.warehouse import open_warehouse
    from orchestration.refresh import refresh_lock

    path = find_config_file(config_file)
    config = _or_exit(lambda: load_config(path))
    days = config.retention.raw_payload_days
    if days is None:
        raise click.ClickException(f"{path}: retention.raw_payload_days is not set; raw payloads are kept")

    def run():
        with refresh_lock(config.data_dir), open_warehouse(config.warehouse) as warehouse:
            return purge_raw_payloads(warehouse, days)

    result = _or_exit(run)
    purged = ", ".join(f"{table} {count}" for table, count in result.payloads.items() if count) or "none"
    click.echo(f"Landed before {result.cutoff:%Y-%m-%d %H:%M} UTC ({days} days): payloads purged: {purged}; "
               f"quarantined records deleted: {result.quarantine_deleted}.")  # fmt: skip


@main.command("setup-roles")
@config_option
@click.option("--reader-login", "reader_logins", multiple=True,
              help="A login user to create (if missing) in the reader role (repeatable).")
@click.option("--manager-login", "manager_logins", multiple=True,
              help="A login user to create (if missing) in the manager role (repeatable).")
def setup_roles(config_file: Path | None, reader_logins: tuple[str, ...], manager_logins: tuple[str, ...]) -> None:
    """PostgreSQL: create the reader role (general reporting marts) and the manager role (also the
    restricted, employee-level ones), and grant them the reporting schemas. Idempotent."""
    from reporting.access import ReportingRoles, setup_roles as create_roles

    config = _or_exit(lambda: load_config(find_config_file(config_file)))
    if config.warehouse.type != "postgres":
        raise click.ClickException(
            "setup-roles needs a PostgreSQL warehouse. With DuckDB, access is by file: give BI users "
            f"{config.reporting.path} only, and managers also {config.reporting.restricted_path} "
            "(file permissions; each publish keeps the mode of the file it replaces)."
        )
    import psycopg2

    roles = ReportingRoles(config.reporting.reader_role, config.reporting.manager_role)
    try:
        done = create_roles(config.warehouse.dsn, roles, list(reader_logins), list(manager_logins))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    except psycopg2.Error as error:  # e.g. the warehouse user may not create roles (needs CREATEROLE)
        raise click.ClickException(f"PostgreSQL: {str(error).strip()} (nothing was changed)") from None
    for line in done:
        click.echo(line)


@main.command()
def prepare() -> None:
    """Parse the dbt project once (the manifest Dagster loads)."""
    from orchestration.dbt import ensure_manifest

    click.echo(f"dbt manifest ready: {ensure_manifest()}")


def _or_exit(action):
    from ingestion.pseudonyms import PseudonymKeyError
    from ingestion.suppression import ErasureKeyError
    from orchestration.refresh import InvalidBackfill, RefreshAlreadyRunning

    try:
        return action()
    except (ConfigError, RefreshAlreadyRunning, InvalidBackfill, ErasureKeyError, PseudonymKeyError) as error:
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
