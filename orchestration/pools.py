"""The `warehouse` pool, claimed by every step that reads or writes the warehouse.

DuckDB allows one writer process, so there the pool has one slot: steps of concurrent runs, or of a
multiprocess run (a backfill launched from the UI), wait for each other instead of failing on the
file lock. PostgreSQL takes parallel writers: no limit, and ingestion runs side by side.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.config import NpsConfig

if TYPE_CHECKING:
    import dagster as dg

WAREHOUSE_POOL = "warehouse"
# On the runs `nps refresh` executes in its own process: the data folder its lock is in (see
# release_slots_of_dead_refreshes).
REFRESH_TAG = "nps/refresh_of"


def pool_settings(config: NpsConfig) -> dict:
    """The `concurrency` section of the generated dagster.yaml."""
    if config.warehouse.type != "duckdb":
        return {}
    return {"concurrency": {"pools": {"granularity": "op", "default_limit": 1}}}


def refresh_tags(data_dir: Path) -> dict[str, str]:
    return {REFRESH_TAG: str(data_dir.resolve())}


def release_slots_of_dead_refreshes(instance: dg.DagsterInstance, data_dir: Path) -> list[str]:
    """Free the pool slots a killed `nps refresh` left claimed, so the next one does not wait forever.

    Call it holding the refresh lock of `data_dir`: then no other `nps refresh` of this configuration
    is running, and its runs still marked as started died with their process (they are marked
    failed). Finished runs' slots are freed too. Runs started elsewhere (UI, daemon, another
    configuration) are left alone. Returns the run ids."""
    import dagster as dg

    finished = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
    own = refresh_tags(data_dir)[REFRESH_TAG]
    storage = instance.event_log_storage
    holders = list(storage.get_concurrency_run_ids()) if storage.supports_global_concurrency_limits else []
    if not holders:
        return []
    released = []
    for record in instance.get_run_records(dg.RunsFilter(run_ids=holders)):
        run = record.dagster_run
        if run.status not in finished:
            if run.tags.get(REFRESH_TAG) != own or run.status != dg.DagsterRunStatus.STARTED:
                continue
            instance.report_run_failed(run, "its `nps refresh` process ended without finishing the run")
        storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released
