"""A refresh through `run_refresh`, with per-step durations and ingestion figures from the Dagster run."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from orchestration.refresh import run_refresh


def refresh(config_path: Path, full_refresh: bool) -> dict[str, Any]:
    started = time.perf_counter()
    outcome = run_refresh(config_path, full_refresh=full_refresh)
    seconds = time.perf_counter() - started
    # A failed refresh is a finding, not a reason to stop measuring: the report shows it.
    failures = [step.splitlines()[0] for step in outcome.failed_steps] + outcome.failed_checks
    return {"seconds": seconds, "success": outcome.success, "failures": failures, **run_figures(outcome.run_id)}


def run_figures(run_id: str) -> dict[str, Any]:
    """Step durations (start to success, in order) and each ingestion asset's fetched records and
    seconds, as the ingestion assets record them in their materialization metadata."""
    import dagster as dg

    steps: dict[str, float] = {}
    started: dict[str, float] = {}
    ingestion: dict[str, dict[str, float]] = {}
    with dg.DagsterInstance.get() as instance:
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[event.step_key] = record.timestamp
            elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
                steps[event.step_key] = record.timestamp - started[event.step_key]
            elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                key = event.asset_key.to_user_string()
                metadata = event.step_materialization_data.materialization.metadata
                if key.startswith("raw/") and "fetched" in metadata:
                    ingestion[key] = {"fetched": metadata["fetched"].value, "seconds": metadata["seconds"].value}
    return {"steps": steps, "ingestion": ingestion}
