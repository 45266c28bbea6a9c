"""The quality checks alone: every GX suite the refresh runs as an asset check, run here one after
the other on the warehouse, as the refresh's checks run them (GX's import is part of the time, the
Dagster definitions are not)."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.config import load_config


def quality_checks(config_path: Path) -> dict[str, Any]:
    from expectations.checks import Scope, raw_response_checks
    from expectations.runner import run_suites
    from ingestion.connectors import CONNECTORS
    from ingestion.warehouse import open_warehouse
    from orchestration.dbt import dbt_project
    from orchestration.quality import checked_models

    config = load_config(config_path)
    checks = []
    for source_type in sorted({source.type for source in config.sources}):
        table = CONNECTORS[source_type].tables.get("responses")
        if table is not None:
            sources = [source.name for source in config.sources_of_type(source_type)]
            checks += raw_response_checks(table.qualified_name, sources, config.quality)
    checks += [check for _, check in checked_models(dbt_project.manifest_path).values()]
    # Folders of our own, so the refresh's GX project and Data Docs are left alone.
    scratch = config.data_dir / "benchmark_quality"
    started = time.perf_counter()
    failed = 0
    for check in checks:
        with open_warehouse(config.warehouse) as warehouse:
            scope = Scope(warehouse.query_frame, config.quality, config.reporting.timezone, datetime.now(UTC))
            outcome = run_suites(
                check.suites(scope), project_dir=scratch / "gx", docs_dir=scratch / "docs", fetch=warehouse.query_frame
            )
        failed += not outcome.success
    return {"seconds": time.perf_counter() - started, "checks": len(checks), "failed": failed}
