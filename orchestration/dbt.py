"""The dbt project as Dagster assets. The manifest is prepared once (and again only when a file of
the project changed), not parsed on every definitions load."""
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ingestion.ingest import all_raw_tables
from ingestion.landing import ensure_raw_tables
from ingestion.warehouse import open_warehouse
from ingestion.window import Window
from orchestration.config import NpsConfig
from orchestration.orphan_guard import stopped_if_this_process_dies
from orchestration.partitions import backfill_window, window_dates
from orchestration.resources import NpsSettings, is_full_refresh

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt installed next to this interpreter, so it runs without an activated virtualenv.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def _newest_source_mtime() -> float:
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files if p.exists())


def ensure_manifest() -> Path:
    """Run `dbt parse` only when the manifest is missing or older than the project's files."""
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return manifest


def dbt_environment(config: NpsConfig) -> dict[str, str]:
    """What profiles.yml reads (the environment, so the password stays out of files and logs)."""
    warehouse = config.warehouse
    if warehouse.type == "duckdb":
        return {"NPS_DBT_TARGET": "duckdb", "NPS_WAREHOUSE_PATH": str(warehouse.path)}
    return {
        "NPS_DBT_TARGET": "postgres",
        "NPS_PG_HOST": warehouse.host,
        "NPS_PG_PORT": str(warehouse.port),
        "NPS_PG_DBNAME": warehouse.dbname,
        "NPS_PG_USER": warehouse.user,
        "NPS_PG_PASSWORD": warehouse.password.get_secret_value(),
    }


def dbt_vars(config: NpsConfig, window: Window | None = None) -> dict[str, Any]:
    """With a backfill's window, its days (`window_start` inclusive, `window_end` exclusive, local
    dates): the incremental models rebuild the responses answered on them."""
    sla_hours = {"transactional": 48, "relational": 48} | config.follow_up.sla_hours
    variables = {
        "reporting_timezone": config.reporting.timezone,
        "min_responses": config.reporting.min_responses,
        "follow_up_categories": config.follow_up.categories,
        "follow_up_sla_hours": sla_hours,
        "follow_up_alert_min_revenue": config.follow_up.alert_min_revenue,
    }
    if window is not None:
        start, end = window_dates(window, config.reporting.timezone)
        variables |= {"window_start": start.isoformat(), "window_end": end.isoformat()}
    return variables


class NpsDbtTranslator(DagsterDbtTranslator):
    """dbt sources are the ingestion assets (raw/<source type>/<object>), so lineage is one graph."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def published_models(manifest_path: Path) -> list[dict[str, Any]]:
    """Models marked `meta.publish` in dbt_project.yml: what goes to the reporting database
    (`publish: restricted`: the restricted one), with the columns published as pseudonymous keys."""
    from reporting.catalog import pseudonymised_as

    manifest = json.loads(manifest_path.read_text())
    return sorted(
        (
            {
                "name": node["name"], "schema": node["schema"], "alias": node.get("alias") or node["name"],
                "restricted": node["config"]["meta"]["publish"] == "restricted",
                "pseudonyms": {
                    name: pseudonymised_as(column)
                    for name, column in node.get("columns", {}).items() if pseudonymised_as(column)
                },
            }
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish")
        ),
        key=lambda model: model["name"],
    )  # fmt: skip


ensure_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=NpsDbtTranslator(),
    pool="warehouse",
)
def nps_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, nps: NpsSettings):
    config = nps.load()
    # Every connector's raw tables exist, even for sources not configured, so staging always builds.
    with open_warehouse(config.warehouse) as warehouse:
        ensure_raw_tables(warehouse, all_raw_tables())
    os.environ.update(dbt_environment(config))
    args = ["build", "--vars", json.dumps(dbt_vars(config, backfill_window(context)))]
    # Unit tests check the SQL on fixed inputs: CI runs them (tests/dbt); the data cannot change them.
    args += ["--exclude-resource-type", "unit_test"]
    if is_full_refresh(context):
        args.append("--full-refresh")
    # A target folder per configuration keeps dbt's partial parsing between runs (seconds per run).
    invocation = dbt.cli(args, context=context, target_path=config.data_dir / "dbt_target")
    with stopped_if_this_process_dies(invocation.process):
        yield from invocation.stream()


def partitioned_dbt_models(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """nps_dbt_models on the day partitions, which depend on nps.yaml (timezone, first day); a range
    of days is one `dbt build`. Other modules take the models' keys from nps_dbt_models itself."""
    return nps_dbt_models.map_asset_specs(
        lambda spec: spec.replace_attributes(partitions_def=partitions_def)
    ).with_attributes(backfill_policy=dg.BackfillPolicy.single_run())

