"""`nps status`: the last run and its outcome, and what the reporting database holds."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.config import NpsConfig
from orchestration.environment import prepare_environment


def render_status(config_path: Path, config: NpsConfig) -> str:
    prepare_environment(config_path, config)
    reporting = (
        _postgres_reporting_lines(config.warehouse.dsn)
        if config.warehouse.type == "postgres"
        else _reporting_lines(config.reporting.path)
    )
    return "\n".join([*_last_run_lines(), "", *_source_lines(config), "", *reporting])


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


def _last_run_lines() -> list[str]:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
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
        for event in instance.all_logs(run.run_id):
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
