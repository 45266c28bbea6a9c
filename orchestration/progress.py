"""A Dagster logger that prints one line per step and per outcome: `nps refresh` progress."""
from __future__ import annotations

import logging
import sys

import dagster as dg


class _ProgressHandler(logging.Handler):
    # The terminal itself: `nps refresh` sends the steps' own output (dbt's log) to a file.
    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        line = _describe(event) if event is not None else None
        if line and sys.__stdout__ is not None:
            print(line, file=sys.__stdout__, flush=True)


def _describe(event) -> str | None:
    kind = event.event_type_value
    if kind == "STEP_START":
        return f"-> {event.step_key}"
    if kind == "STEP_SUCCESS":
        return f"   done {event.step_key} in {event.event_specific_data.duration_ms / 1000:.1f}s"
    if kind == "STEP_FAILURE":
        return f"   FAILED {event.step_key}"
    if kind == "STEP_SKIPPED":
        return f"   skipped {event.step_key} (an upstream step or blocking check failed)"
    if kind == "ENGINE_EVENT" and "pool" in (getattr(event.event_specific_data, "metadata", None) or {}):
        pool = event.event_specific_data.metadata["pool"].value
        return f"   waiting: {event.step_key} (another run holds the {pool} pool; `nps status` names it)"
    if kind == "ASSET_CHECK_EVALUATION":
        evaluation = event.event_specific_data
        if not evaluation.passed:
            outcome = "FAILED" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "WARN"
            return f"   check {outcome}: {evaluation.asset_key.to_user_string()} {evaluation.check_name}"
    return None


@dg.logger(description="One line per step, and every failed check.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("nps.progress", level=logging.DEBUG)
    logger.addHandler(_ProgressHandler())
    return logger
