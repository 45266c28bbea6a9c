"""`nps refresh`: the nightly_refresh job, in-process, with a summary of what failed."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.config import load_config
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


def run_refresh(config_path: Path, full_refresh: bool = False, verbose: bool = False) -> RefreshOutcome:
    """verbose: Dagster's full console log instead of one line per step."""
    config = load_config(config_path)  # a config error stops here, before Dagster is loaded
    prepare_environment(config_path, config)

    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.resources import FULL_REFRESH_TAG

    job = build_definitions(config_path).resolve_job_def(NIGHTLY_REFRESH)
    log_path = None if verbose else config.data_dir / "logs" / "refresh.log"
    with contextlib.ExitStack() as stack:
        instance = stack.enter_context(dg.DagsterInstance.get())
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(contextlib.redirect_stdout(stack.enter_context(log_path.open("w"))))
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={FULL_REFRESH_TAG: str(full_refresh).lower()},
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}} if verbose else {"progress": {}}},
        )
    failed_steps = [
        f"{event.step_key}: {root_cause(event.step_failure_data.error)}"
        for event in result.all_events
        if event.is_step_failure
    ]
    failed = [evaluation for evaluation in result.get_asset_check_evaluations() if not evaluation.passed]
    failed_checks = [_describe_check(e) for e in failed if e.severity == dg.AssetCheckSeverity.ERROR]
    warned_checks = [_describe_check(e) for e in failed if e.severity != dg.AssetCheckSeverity.ERROR]
    planned = _asset_keys(result, "ASSET_MATERIALIZATION_PLANNED")
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
