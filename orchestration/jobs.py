"""The nightly refresh: ingestion, dbt build (with its tests as checks), GX checks, publish. The
loads and models are day-partitioned; the assets after them (value models, publish, report) are not,
and run after any partition or range of the loads."""
from __future__ import annotations

import dagster as dg

NIGHTLY_REFRESH = "nightly_refresh"


def nightly_refresh_job() -> dg.UnresolvedAssetJobDefinition:
    # In-process: DuckDB allows one writer process, and every step here writes the warehouse.
    return dg.define_asset_job(
        NIGHTLY_REFRESH,
        # The dbt docs site is rebuilt on demand (UI or `nps docs`): it costs a minute and rarely changes.
        selection=dg.AssetSelection.all() - dg.AssetSelection.assets("dbt_docs"),
        executor_def=dg.in_process_executor,
        description="Ingest every configured source, build and test the models, check, publish.",
    )


def nightly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """02:00 in the partitions' timezone (reporting.timezone), for the day that has just ended."""
    return dg.build_schedule_from_partitioned_job(
        job, hour_of_day=2, default_status=dg.DefaultScheduleStatus.RUNNING
    )
