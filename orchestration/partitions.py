"""Day partitions of the loads and the models, and what a run's partitions ask of them.

The newest day alone (what the nightly schedule, a plain `nps refresh` and the CSV sensor run) is
the ordinary load: each source continues from its cursor, so late answers to earlier days arrive
too. Any other day or range (a Dagster backfill, `nps refresh --since`) is a backfill: its window is
fetched again from the sources, upserted, and rebuilt in the incremental models; cursors stay.
"""
from datetime import date
from zoneinfo import ZoneInfo

import dagster as dg

from ingestion.window import Window
from orchestration.config import NpsConfig
from orchestration.resources import is_full_refresh


def daily_partitions(config: NpsConfig) -> dg.DailyPartitionsDefinition:
    """One partition per local day of the reporting timezone, the last one being yesterday."""
    return dg.DailyPartitionsDefinition(
        start_date=config.backfill.start_date.isoformat(), timezone=config.reporting.timezone
    )


def backfill_window(context: dg.AssetExecutionContext) -> Window | None:
    """The window this run backfills, or None for the ordinary (incremental or full) load. A range
    run is a backfill even of the newest day alone: `nps refresh --since` always asks for a range."""
    if is_full_refresh(context):
        return None
    if context.has_partition_key and context.partition_key == context.assets_def.partitions_def.get_last_partition_key():
        return None
    time_window = context.partition_time_window
    return Window(time_window.start, time_window.end)


def window_dates(window: Window, timezone: str) -> tuple[date, date]:
    """The window's first day and the day after its last, in the reporting timezone (dbt's vars)."""
    zone = ZoneInfo(timezone)
    return window.start.astimezone(zone).date(), window.end.astimezone(zone).date()
