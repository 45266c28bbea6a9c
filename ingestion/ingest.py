"""The one loop every source goes through: read the cursor, extract batches, land each."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ingestion.connectors import CONNECTORS
from ingestion.connectors.base import SourceConfig
from ingestion.http import collect_http_stats
from ingestion.landing import LandingCounts, ensure_raw_tables, land_batch, read_cursor
from ingestion.warehouse import Warehouse


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


def ingest(
    warehouse: Warehouse,
    source: SourceConfig,
    object_name: str,
    batch_id: str,
    full_refresh: bool = False,
) -> IngestionResult:
    connector = CONNECTORS[source.type]
    table = connector.tables[object_name]
    ensure_raw_tables(warehouse, all_raw_tables())
    started = time.perf_counter()
    result = IngestionResult(source=source.name, object_name=object_name)
    cursor = None if full_refresh else read_cursor(warehouse, source.name, object_name)
    with collect_http_stats() as http:
        for batch in connector.extract(source, object_name, cursor):
            result.counts.add(land_batch(warehouse, table, source.name, object_name, batch, batch_id))
            result.batches += 1
    result.pages, result.retries = http.pages, http.retries
    result.seconds = time.perf_counter() - started
    return result
