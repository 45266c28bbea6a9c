"""The Dagster definitions, built from nps.yaml (--config, $NPS_CONFIG, else ./nps.yaml)."""
from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.alerts import alert_on_failed_run
from orchestration.attribution import customer_value_models
from orchestration.config import find_config_file, load_config, parse_config
from orchestration.crm_writeback import crm_writeback
from orchestration.dbt import dbt_resource, partitioned_dbt_models
from orchestration.detractor_alerts import detractor_alerts
from orchestration.freshness import newest_response_checks, with_freshness_policies
from orchestration.ingestion import ingestion_assets
from orchestration.jobs import nightly_refresh_job, nightly_schedule
from orchestration.partitions import daily_partitions
from orchestration.progress import progress_logger
from orchestration.publish import reporting_database
from orchestration.quality import quality_checks
from orchestration.report import dbt_docs, nps_report
from orchestration.resources import NpsSettings
from orchestration.retention import retention_assets
from orchestration.sensors import csv_exports_sensor


def build_definitions(config_path: Path) -> dg.Definitions:
    # Without a config file the graph still loads (dbt and publish); runs then name the missing file.
    config = load_config(config_path) if config_path.exists() else parse_config({}, home=Path.cwd())
    partitions = daily_partitions(config)
    job = nightly_refresh_job()
    return dg.Definitions(
        assets=with_freshness_policies([
            *ingestion_assets(config, partitions),
            *retention_assets(config),
            partitioned_dbt_models(partitions),
            customer_value_models,
            reporting_database,
            nps_report,
            dbt_docs,
            crm_writeback,
            detractor_alerts,
        ], config),
        asset_checks=[*quality_checks(config), *newest_response_checks(config)],
        jobs=[job],
        schedules=[nightly_schedule(job)],
        sensors=[alert_on_failed_run, *([csv_exports_sensor(config)] if config.sources_of_type("csv") else [])],
        resources={"nps": NpsSettings(config_path=str(config_path)), "dbt": dbt_resource()},
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


defs = build_definitions(find_config_file())
