"""`nps refresh`: the nightly_refresh job, in-process, with a summary of what failed."""
from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from orchestration.alerts import alert_message, post_alert
from orchestration.config import NpsConfig, load_config
from orchestration.environment import prepare_environment
from orchestration.jobs import NIGHTLY_REFRESH


@dataclass
class RefreshOutcome:
    success: bool
    run_id: str
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # blocking (ERROR): publishing stopped
    warned_checks: list[str] = field(default_factory=list)  # WARN: shown, publishing went ahead
    skipped_assets: list[str] = field(default_factory=list)
    log_path: Path | None = None  # the steps' own output (dbt's log), unless verbose


class RefreshAlreadyRunning(Exception):
    """Another refresh holds the lock of this configuration's warehouse."""


class InvalidBackfill(ValueError):
    """`--since` / `--until` name days that are not day partitions, or in the wrong order."""


# Dagster's tags for a run over a range of partitions (what its single-run backfills launch).
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


def backfill_days(config: NpsConfig, since: date, until: date | None, today: date | None = None) -> tuple[date, date]:
    """The first and last day of a backfill, checked against the day partitions: from
    backfill.start_date to yesterday (the last complete day in the reporting timezone)."""
    newest = (today or datetime.now(ZoneInfo(config.reporting.timezone)).date()) - timedelta(days=1)
    until = until or newest
    if since > until:
        raise InvalidBackfill(f"--since {since} is after --until {until}")
    if since < config.backfill.start_date:
        raise InvalidBackfill(
            f"--since {since} is before the first day partition, {config.backfill.start_date} "
            "(backfill.start_date in nps.yaml)"
        )
    if until > newest:
        raise InvalidBackfill(f"--until {until} is not over yet in {config.reporting.timezone}; the last complete day is {newest}")
    return since, until


@contextlib.contextmanager
def refresh_lock(data_dir: Path):
    """One refresh at a time per configuration: DuckDB has one writer, and two refreshes of one
    warehouse would interleave their loads. A second refresh refuses at once, naming the first."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "refresh.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RefreshAlreadyRunning(f"another refresh is running ({holder}); try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_refresh(
    config_path: Path,
    full_refresh: bool = False,
    verbose: bool = False,
    rebuild_only: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> RefreshOutcome:
    """verbose: Dagster's full console log instead of one line per step. rebuild_only: everything
    but ingestion (models, checks, publish) from what has landed, e.g. after an erasure. since (and
    until, default yesterday): a backfill of those days in one run; else the newest day's ordinary
    load."""
    config = load_config(config_path)  # a config error stops here, before Dagster is loaded
    days = None
    if since is not None:
        if full_refresh:
            raise InvalidBackfill("--full-refresh reloads every day already; it cannot be combined with --since")
        days = backfill_days(config, since, until)
    elif until is not None:
        raise InvalidBackfill("--until needs --since")
    with refresh_lock(config.data_dir):
        outcome = _execute(config_path, config, full_refresh, verbose, rebuild_only, days)
    if not outcome.success:
        post_alert(alert_message(outcome.run_id, outcome.failed_steps, outcome.failed_checks))
    return outcome


def _execute(
    config_path: Path,
    config: NpsConfig,
    full_refresh: bool,
    verbose: bool,
    rebuild_only: bool = False,
    days: tuple[date, date] | None = None,
) -> RefreshOutcome:
    prepare_environment(config_path, config)

    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.partitions import daily_partitions
    from orchestration.pools import refresh_tags, release_slots_of_dead_refreshes
    from orchestration.resources import FULL_REFRESH_TAG

    tags = {FULL_REFRESH_TAG: str(full_refresh).lower(), **refresh_tags(config.data_dir)}
    partition_key = None
    if days is None:
        partition_key = daily_partitions(config).get_last_partition_key()
    else:
        tags |= {PARTITION_RANGE_START_TAG: days[0].isoformat(), PARTITION_RANGE_END_TAG: days[1].isoformat()}
    log_path = None if verbose else config.data_dir / "logs" / "refresh.log"
    with contextlib.ExitStack() as stack:
        instance = stack.enter_context(dg.DagsterInstance.get())
        # Loaded with the instance entered: the definitions read its state storage.
        job = build_definitions(config_path).resolve_job_def(NIGHTLY_REFRESH)
        selection = None
        if rebuild_only:
            selection = [key for key in job.asset_layer.executable_asset_keys if key.path[0] != "raw"]
        release_slots_of_dead_refreshes(instance, config.data_dir)  # we hold the refresh lock
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(contextlib.redirect_stdout(stack.enter_context(log_path.open("w"))))
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            partition_key=partition_key,
            tags=tags,
            asset_selection=selection,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}} if verbose else {"progress": {}}},
        )
        # Planned materializations are stored events of the run, not part of the result's events.
        planned = {
            record.dagster_event.asset_key.to_user_string()
            for record in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
        }
    failed_steps = [
        f"{event.step_key}: {root_cause(event.step_failure_data.error)}"
        for event in result.all_events
        if event.is_step_failure
    ]
    failed = [evaluation for evaluation in result.get_asset_check_evaluations() if not evaluation.passed]
    failed_checks = [_describe_check(e) for e in failed if e.severity == dg.AssetCheckSeverity.ERROR]
    warned_checks = [_describe_check(e) for e in failed if e.severity != dg.AssetCheckSeverity.ERROR]
    materialized = _asset_keys(result, "ASSET_MATERIALIZATION")
    return RefreshOutcome(
        success=result.success and not failed_checks,
        run_id=result.run_id,
        failed_steps=failed_steps,
        failed_checks=failed_checks,
        warned_checks=warned_checks,
        skipped_assets=sorted(planned - materialized),
        log_path=log_path,
    )


def _describe_check(evaluation) -> str:
    """`asset: check`, with the GX checks' summary of what failed."""
    summary = evaluation.metadata.get("summary")
    text = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
    return f"{text} ({summary.value})" if summary is not None else text


def _asset_keys(result, event_type: str) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.all_events
        if event.event_type_value == event_type and event.asset_key
    }


def root_cause(error) -> str:
    """The innermost error's message: Dagster wraps a step's exception in its own."""
    if error is None:
        return "failed"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()
