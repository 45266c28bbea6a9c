"""`nps import`: canonical CSV files -> a csv source's raw table, outside the nightly job."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.connectors.csv_export import CONNECTOR as CSV
from ingestion.connectors.csv_export import read_file
from ingestion.ingest import all_raw_tables
from ingestion.landing import LandingCounts, ensure_raw_tables, land_batch
from ingestion.warehouse import open_warehouse
from orchestration.config import ConfigError, NpsConfig


@dataclass
class ImportResult:
    path: Path
    counts: LandingCounts = field(default_factory=LandingCounts)
    quarantine_reasons: Counter = field(default_factory=Counter)


def import_csv_files(config: NpsConfig, source_name: str, files: list[Path], batch_id: str = "import") -> list[ImportResult]:
    source = next((s for s in config.sources if s.name == source_name), None)
    if source is None:
        raise ConfigError(f"{config.home / 'nps.yaml'}: no source named {source_name!r}; add one with type: csv")
    if source.type != "csv":
        raise ConfigError(f"source {source_name!r} is of type {source.type}; `nps import` loads csv sources")
    table = CSV.tables["responses"]
    results = []
    with open_warehouse(config.warehouse) as warehouse:
        ensure_raw_tables(warehouse, all_raw_tables())
        for path in files:
            result = ImportResult(path)
            for batch in read_file(path, path.read_bytes(), source.survey_type):
                result.counts.add(land_batch(warehouse, table, source.name, "responses", batch, batch_id, config.data_dir))
                result.quarantine_reasons.update(q.reason for q in batch.quarantined)
            results.append(result)
    return results
