"""The one loop every source goes through: read the cursor, extract batches, land each."""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.connectors import CONNECTORS
from ingestion.connectors.base import SourceConfig
from ingestion.http import collect_http_stats
from ingestion.landing import Batch, LandingCounts, ensure_raw_tables, land_batch, read_cursor
from ingestion.warehouse import Warehouse
from ingestion.window import Window


@dataclass
class IngestionResult:
    source: str
    object_name: str
    counts: LandingCounts = field(default_factory=LandingCounts)
    batches: int = 0
    pages: int = 0  # API pages read (0 for file sources)
    retries: int = 0  # requests repeated after a transient failure
    seconds: float = 0.0


def all_raw_tables():
    """Every raw table of every connector: created up front so dbt finds them even when empty."""
    return [table for connector in CONNECTORS.values() for table in connector.tables.values()]


# Records per landing transaction. An API page holds ~100 records, and a transaction per page costs
# more than the page itself; pages are merged up to this size and land with the last one's cursor.
LANDING_BATCH_RECORDS = 5_000
# DuckDB checkpoints whenever its write-ahead log passes 16 MB (every few batches of a large load),
# and each checkpoint costs more than the batches between; a load checkpoints this often, and once
# at its end. Commits still write the log, so a landed batch survives a crash as before.
LOAD_CHECKPOINT_THRESHOLD = "256MB"


def coalesce(batches: Iterable[Batch], max_records: int) -> Iterator[Batch]:
    """Consecutive batches merged up to `max_records`. The merged batch carries the newest cursor, so
    a run that stops before landing it resumes from the previous one: pages are fetched again, never
    skipped."""
    pending: Batch | None = None
    for batch in batches:
        if pending is None:
            pending = Batch(list(batch.records), list(batch.quarantined), batch.cursor)
        else:
            pending.records += batch.records
            pending.quarantined += batch.quarantined
            pending.cursor = batch.cursor if batch.cursor is not None else pending.cursor
        if len(pending.records) + len(pending.quarantined) >= max_records:
            yield pending
            pending = None
    if pending is not None:
        yield pending


def ingest(
    warehouse: Warehouse,
    source: SourceConfig,
    object_name: str,
    batch_id: str,
    full_refresh: bool = False,
    window: Window | None = None,
    data_dir: Path | None = None,
) -> IngestionResult:
    """Incremental from the cursor (everything when `full_refresh`); with a `window`, a backfill:
    what falls in it is fetched again and upserted, and the cursor stays where it was."""
    connector = CONNECTORS[source.type]
    table = connector.tables[object_name]
    ensure_raw_tables(warehouse, all_raw_tables())
    started = time.perf_counter()
    result = IngestionResult(source=source.name, object_name=object_name)
    if window is not None:
        batches = connector.extract(source, object_name, None, window=window)
    else:
        cursor = None if full_refresh else read_cursor(warehouse, source.name, object_name)
        batches = connector.extract(source, object_name, cursor)
    if warehouse.dialect == "duckdb":
        warehouse.execute(f"set checkpoint_threshold = '{LOAD_CHECKPOINT_THRESHOLD}'")
    with collect_http_stats() as http:
        for batch in coalesce(batches, LANDING_BATCH_RECORDS):
            if window is not None:
                batch.cursor = None  # a backfill never moves the cursor of the incremental loads
            result.counts.add(land_batch(warehouse, table, source.name, object_name, batch, batch_id, data_dir))
            result.batches += 1
    if warehouse.dialect == "duckdb":
        warehouse.execute("checkpoint")
    result.pages, result.retries = http.pages, http.retries
    result.seconds = time.perf_counter() - started
    return result
