"""`nps status`: the last run and its outcome, and what the reporting database holds."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.config import NpsConfig
from orchestration.environment import prepare_environment


def render_status(config_path: Path, config: NpsConfig) -> str:
    prepare_environment(config_path, config)
    return "\n".join([*_last_run_lines(), "", *_reporting_lines(config.reporting.path)])


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
        for event in instance.all_logs(run.run_id):
            dagster_event = event.dagster_event
            if dagster_event is None:
                continue
            if dagster_event.is_step_failure:
                lines.append(f"  failed step: {dagster_event.step_key}")
            elif dagster_event.event_type_value == "ASSET_CHECK_EVALUATION":
                evaluation = dagster_event.event_specific_data
                if not evaluation.passed:
                    lines.append(
                        f"  failed check: {evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
                    )
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
