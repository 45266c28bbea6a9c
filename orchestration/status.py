"""`nps status`: the last runs, the last one's outcome, each refreshed asset's freshness, the latest
result of every check, the warehouse pool, the sources' newest data and what reporting holds.

Everything Dagster knows is read from its instance (SQLite or PostgreSQL): the assets and checks a
refresh has are those its runs planned, so status answers in seconds, without building the
definitions (dagster-dbt, the manifest, maybe `dbt parse`: half a minute)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from orchestration.config import NpsConfig
from orchestration.environment import prepare_environment

if TYPE_CHECKING:
    import dagster as dg

RECENT_RUNS = 5
# How many of the job's runs back the newest one of all of it is looked for (see planned_keys).
PLANNED_RUNS = 20
# The manifest the definitions are built from (orchestration.dbt's DbtProject), read as JSON.
DBT_MANIFEST = Path(__file__).resolve().parents[1] / "dbt_project" / "target" / "manifest.json"


def render_status(config_path: Path, config: NpsConfig, now: datetime | None = None) -> str:
    """now: the moment freshness is judged at (the clock, unless a test moves it)."""
    prepare_environment(config_path, config)
    import dagster as dg

    from orchestration.freshness_rules import keeps_current, refresh_window, refreshed_models

    now = now or datetime.now(UTC)
    models = refreshed_models(DBT_MANIFEST) if DBT_MANIFEST.exists() else set()
    # The general reporting database, then the restricted one (employee-level results).
    if config.warehouse.type == "postgres":
        dsn = config.warehouse.dsn
        reporting = [*_postgres_reporting_lines(dsn), *_postgres_reporting_lines(dsn, "reporting_restricted")]
    else:
        reporting = [*_reporting_lines(config.reporting.path), *_reporting_lines(config.reporting.restricted_path)]
    with dg.DagsterInstance.get() as instance:
        assets, checks = planned_keys(instance)
        watched = [key for key in assets if keeps_current(key.path, models)]
        dagster_lines = [
            *run_lines(instance), "", *_last_run_lines(instance), "",
            *freshness_lines(instance, watched, checks, refresh_window(config), now), "",
            *check_summary_lines(instance, checks), "",
            *pool_lines(instance, one_writer=config.warehouse.type == "duckdb"),
        ]  # fmt: skip
    return "\n".join([*dagster_lines, "", *_source_lines(config), "", *reporting])


def run_lines(instance: dg.DagsterInstance, limit: int = RECENT_RUNS) -> list[str]:
    records = instance.get_run_records(limit=limit)
    if not records:
        return []
    lines = [f"Runs (latest {len(records)}):", f"  {'run':<8}  {'job':<24} {'started (UTC)':<20}  {'duration':>8}  outcome"]
    for record in records:
        run = record.dagster_run
        duration = _duration(record.end_time - record.start_time) if record.start_time and record.end_time else "-"
        started = _time(record.start_time).removesuffix(" UTC")
        lines.append(f"  {run.run_id[:8]}  {run.job_name:<24} {started:<20}  {duration:>8}  {run.status.value}")
    return lines


def planned_keys(instance: dg.DagsterInstance, job_name: str | None = None) -> tuple[list, list]:
    """The asset keys and check keys the job's runs planned, from the newest back to the newest run
    of all of it (not a selection of its assets): what a refresh materializes and checks now. Read
    from the runs' stored execution plans."""
    import dagster as dg

    from orchestration.jobs import NIGHTLY_REFRESH

    filters = dg.RunsFilter(job_name=job_name or NIGHTLY_REFRESH)
    assets, checks = set(), set()
    for record in instance.get_run_records(filters, limit=PLANNED_RUNS):
        run = record.dagster_run
        if run.execution_plan_snapshot_id is None:
            continue
        for step in instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id).steps:
            for output in step.outputs:
                if output.properties is None:
                    continue
                if output.properties.asset_check_key is not None:
                    checks.add(output.properties.asset_check_key)
                elif output.properties.asset_key is not None:
                    assets.add(output.properties.asset_key)
        if not run.asset_selection:
            break
    return (
        sorted(assets, key=lambda key: key.to_user_string()),
        sorted(checks, key=lambda key: (key.asset_key.to_user_string(), key.name)),
    )


def freshness_lines(
    instance: dg.DagsterInstance, keys: list, check_keys: list, fail_window: timedelta, now: datetime
) -> list[str]:
    """Each asset the refresh keeps current (it has that freshness policy): its last
    materialization, how old, and whether late as Dagster's time-window policy judges it (LATE past
    fail_window); with the newest response in it where a check (of check_keys) measures that."""
    import dagster as dg

    from orchestration.freshness_rules import NEWEST_RESPONSE_CHECK

    if not keys:
        return []
    keys = sorted(keys, key=lambda key: key.to_user_string())
    records = {record.asset_entry.asset_key: record for record in instance.get_asset_records(keys)}
    newest, _ = latest_check_results(instance, [key for key in check_keys if key.name == NEWEST_RESPONSE_CHECK])
    lines = [
        f"Freshness (late: not materialized for {_duration(fail_window.total_seconds())}):",
        f"  {'asset':<40} {'materialized (UTC)':<20} {'age':>7}  state",
    ]
    for key in keys:
        record = records.get(key)
        entry = record.asset_entry.last_materialization if record else None
        if entry is None:
            lines.append(f"  {key.to_user_string():<40} {'-':<20} {'-':>7}  NEVER")
            continue
        age = now - datetime.fromtimestamp(entry.timestamp, UTC)
        when = _time(entry.timestamp).removesuffix(" UTC")
        state = "LATE" if age >= fail_window else "ok"
        line = f"  {key.to_user_string():<40} {when:<20} {_duration(age.total_seconds()):>7}  {state}"
        result = newest.get(dg.AssetCheckKey(key, NEWEST_RESPONSE_CHECK))
        if result is not None:
            evaluation = _evaluation(result)
            line += f"; {evaluation.description}" + ("" if evaluation.passed else ": STALE")
        lines.append(line)
    return lines


def check_summary_lines(instance: dg.DagsterInstance, keys: list) -> list[str]:
    """The latest result of every asset check: counted when it passed, listed when it did not
    (severity, when, run, what failed); and how many their latest run planned but did not evaluate
    (an upstream step or blocking check failed) or never ran."""
    import dagster as dg

    if not keys:
        return []
    results, not_evaluated = latest_check_results(instance, keys)
    failing = [(key, record) for key, record in results.items() if not _evaluation(record).passed]
    errors = [(key, record) for key, record in failing if _evaluation(record).severity == dg.AssetCheckSeverity.ERROR]
    failing = errors + [item for item in failing if item not in errors]
    lines = [
        f"Checks ({len(keys)}, latest result of each): {len(results) - len(failing)} passed, {len(errors)} failed, "
        f"{len(failing) - len(errors)} warned, {len(keys) - len(results)} never ran"
        + (f"; {len(not_evaluated)} not evaluated by their latest run" if not_evaluated else "")
    ]
    for key, record in failing:
        evaluation = _evaluation(record)
        severity = "ERROR" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "WARN"
        summary = evaluation.metadata.get("summary")
        detail = _shorten(getattr(summary, "value", None) or evaluation.description or "")
        lines.append(
            f"  {severity:<5}  {key.asset_key.to_user_string()}: {key.name}  {_time(record.event.timestamp)}"
            f"  run {record.run_id[:8]}" + (f"  {detail}" if detail else "")
        )
    return lines


def latest_check_results(instance: dg.DagsterInstance, keys: list) -> tuple[dict, set]:
    """check key -> its latest completed execution record (passed or not), for those evaluated at
    all; and the keys whose latest run planned them without evaluating them."""
    # Not exported by dagster; the status a stored execution has (PLANNED, SUCCEEDED, FAILED).
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus as Status

    if not keys:
        return {}, set()
    storage = instance.event_log_storage
    completed = {Status.SUCCEEDED, Status.FAILED}
    results, not_evaluated, runs = {}, set(), {}
    for key, record in storage.get_latest_asset_check_execution_by_key(keys).items():
        if record.status not in completed:
            if record.run_id not in runs:
                runs[record.run_id] = instance.get_run_by_id(record.run_id)
            run = runs[record.run_id]
            if run is None or run.is_finished:  # else the run is evaluating it now
                not_evaluated.add(key)
            history = storage.get_asset_check_execution_history(key, limit=1, status=completed)
            record = history[0] if history else None
        if record is not None:
            results[key] = record
    return results, not_evaluated


def _evaluation(record):
    """The AssetCheckEvaluation of a completed execution record."""
    return record.event.dagster_event.event_specific_data


def pool_lines(instance: dg.DagsterInstance, one_writer: bool = False) -> list[str]:
    """Who holds the warehouse pool (DuckDB, one writer: one slot), and how many steps wait for it."""
    from orchestration.pools import WAREHOUSE_POOL

    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    info = storage.get_concurrency_info(WAREHOUSE_POOL)
    # The default limit is stored for the pool at its first claim; before that, it is the config's.
    limit = info.limit if info.limit is not None else instance.global_op_concurrency_default_limit
    if limit is None:
        # A DAGSTER_HOME of the user's own has no limit unless its dagster.yaml sets one.
        hint = " (DuckDB has one writer: set concurrency.pools.default_limit: 1 in dagster.yaml)" if one_writer else ""
        return [f"Pool {WAREHOUSE_POOL}: no limit{hint}"]
    holders = ", ".join(f"run {slot.run_id[:8]} ({slot.step_key})" for slot in info.claimed_slots)
    waiting = [step for step in info.pending_steps if step.assigned_timestamp is None]
    line = f"Pool {WAREHOUSE_POOL}: {limit} slot{'s' if limit != 1 else ''}, " + (
        f"held by {holders}" if holders else "free"
    )
    return [line + (f"; {len(waiting)} step(s) waiting" if waiting else "")]


def _source_lines(config: NpsConfig) -> list[str]:
    """Per configured survey source: its newest response and its last load, from the raw tables."""
    from ingestion.connectors import CONNECTORS
    from ingestion.warehouse import open_warehouse

    surveys = [s for s in config.sources if "responses" in CONNECTORS[s.type].tables]
    if not surveys:
        return []
    lines = ["Sources (newest response, last load):"]
    try:
        with open_warehouse(config.warehouse) as warehouse:
            for source in surveys:
                table = CONNECTORS[source.type].tables["responses"]
                exists = warehouse.execute(
                    "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?",
                    (table.name,),
                )[0][0]
                newest, loaded = warehouse.execute(
                    f"select max(responded_at), max(_loaded_at) from {table.qualified_name} where _source = ?",
                    (source.name,),
                )[0] if exists else (None, None)
                lines.append(f"  {source.name:<16} {_moment(newest)}   {_moment(loaded)}")
    except duckdb.IOException:  # DuckDB: a running refresh holds the warehouse file
        return ["Sources: the warehouse is in use (a refresh is running); try again when it ends"]
    return lines


def _postgres_reporting_lines(dsn: str, schema: str = "reporting") -> list[str]:
    from ingestion.warehouse import PostgresWarehouse

    warehouse = PostgresWarehouse(dsn)
    try:
        tables = [row[0] for row in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name", (schema,)
        )]
        if "_published" not in tables:
            return [f"Reporting schema {schema}: not published yet"]
        published_at, run_id = warehouse.execute(f"select published_at, run_id from {schema}._published")[0]
        lines = [f"Reporting schema: {schema}", f"  published: {_moment(published_at)} by run {run_id}"]
        for table in (t for t in tables if t != "_published"):
            rows = warehouse.execute(f'select count(*) from {schema}."{table}"')[0][0]
            lines.append(f"  {table:<28} {rows:>10} rows")
    finally:
        warehouse.close()
    return lines


def _moment(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


def _last_run_lines(instance: dg.DagsterInstance) -> list[str]:
    import dagster as dg

    records = instance.get_run_records(limit=1)
    if not records:
        return ["No run yet: `nps refresh` runs one."]
    record = records[0]
    run = record.dagster_run
    lines = [
        f"Last run: {run.job_name} {run.run_id}",
        f"  status: {run.status.value}",
        f"  started: {_time(record.start_time)}  ended: {_time(record.end_time)}",
    ]
    failures, warnings, planned, materialized = [], [], set(), set()
    # Only the events read here: a refresh logs thousands more (dbt's output), slow to load.
    kinds = {dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
             dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION}  # fmt: skip
    for event in instance.all_logs(run.run_id, of_type=kinds):
        dagster_event = event.dagster_event
        if dagster_event is None:
            continue
        if dagster_event.is_step_failure:
            error = dagster_event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error and error.message.strip() else "failed"
            failures.append(f"  failed step: {dagster_event.step_key}: {message}")
        elif dagster_event.event_type_value == "ASSET_MATERIALIZATION_PLANNED":
            planned.add(dagster_event.asset_key.to_user_string())
        elif dagster_event.event_type_value == "ASSET_MATERIALIZATION":
            materialized.add(dagster_event.asset_key.to_user_string())
        elif dagster_event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = dagster_event.event_specific_data
            if evaluation.passed:
                continue
            if evaluation.severity == dg.AssetCheckSeverity.ERROR:
                failures.extend(_check_lines("failed check (blocking)", evaluation))
            else:
                warnings.extend(_check_lines("warning", evaluation))
    if planned - materialized:
        failures.append(f"  not materialized: {', '.join(sorted(planned - materialized))}")
    return lines + failures + warnings


def _check_lines(label: str, evaluation) -> list[str]:
    """The check, then each failed expectation with what was observed and a few offending rows."""
    lines = [f"  {label}: {evaluation.asset_key.to_user_string()}: {evaluation.check_name}"]
    metadata = {key: getattr(value, "value", value) for key, value in evaluation.metadata.items()}
    for failure in metadata.get("failed_expectations") or []:
        lines.append(f"    - {failure['suite']}: {failure['rule']} [{failure['expectation']}]")
        if failure.get("unexpected"):
            lines.append(f"        {failure['unexpected_count']} unexpected, e.g.:")
            lines.extend(f"          {row}" for row in failure["unexpected"])
        else:
            lines.append(f"        observed: {failure.get('observed')}")
        if failure.get("offending_rows"):
            lines.append("        offending rows:")
            lines.extend(f"          {row}" for row in failure["offending_rows"])
    if not metadata.get("failed_expectations") and metadata.get("summary"):
        lines.append(f"    {metadata['summary']}")
    # dbt tests (through dagster-dbt) say how many rows failed and where to look
    for key in ("dagster_dbt/failed_row_count", "status", "dagster_dbt/message"):
        if key in metadata:
            lines.append(f"    {key.removeprefix('dagster_dbt/')}: {metadata[key]}")
    return lines


def _reporting_lines(reporting_path: Path) -> list[str]:
    if not reporting_path.exists():
        return [f"Reporting database: {reporting_path} (not published yet)"]
    con = duckdb.connect(str(reporting_path), read_only=True)
    try:
        published = con.execute("select published_at, run_id from _published").fetchone()
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_name <> '_published' order by table_name"
        ).fetchall()]
        lines = [
            f"Reporting database: {reporting_path}",
            f"  published: {published[0]:%Y-%m-%d %H:%M:%S %Z} by run {published[1]}",
        ]
        for table in tables:
            rows = con.execute(f'select count(*) from "{table}"').fetchone()[0]
            lines.append(f"  {table:<28} {rows:>10} rows")
    finally:
        con.close()
    return lines


def _time(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if timestamp else "-"


def _shorten(text: str, width: int = 100) -> str:
    """One line of a check's summary; `nps status` explains the last run's failures in full above."""
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 172800:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"
