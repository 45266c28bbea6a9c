"""Write-audit-publish: dbt writes the warehouse, the checks audit it, this asset publishes.

`reporting_database` depends directly on every checked model, so each blocking check on them (and,
upstream, on the raw tables) must pass before it runs; a failed one skips it and the reporting
database stays exactly as it was.
"""
import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.attribution import ATTRIBUTION_TABLES, VALUE_SCHEMA
from orchestration.dbt import dbt_project, nps_dbt_models, published_models
from orchestration.quality import checked_models
from orchestration.resources import NpsSettings
from reporting.catalog import load_manifest
from reporting.publish import publish_duckdb, publish_postgres

PUBLISHED = published_models(dbt_project.manifest_path)


@dg.asset(
    key="reporting_database",
    group_name="publish",
    deps=[
        *(
            get_asset_key_for_model([nps_dbt_models], name)
            for name in sorted({m["name"] for m in PUBLISHED} | set(checked_models(dbt_project.manifest_path)))
        ),
        *(dg.AssetKey([VALUE_SCHEMA, name]) for name in ATTRIBUTION_TABLES),
    ],
    description="The reporting database BI tools read: the checked marts, swapped in atomically.",
    kinds={"duckdb"},
    pool="warehouse",
)
def reporting_database(context: dg.AssetExecutionContext, nps: NpsSettings) -> dg.MaterializeResult:
    config = nps.load()
    relations = [(model["schema"], model["alias"]) for model in PUBLISHED]
    relations += [(VALUE_SCHEMA, name) for name in ATTRIBUTION_TABLES]
    manifest = load_manifest(dbt_project.manifest_path)
    if config.warehouse.type == "postgres":
        tables = publish_postgres(config.warehouse.dsn, relations, context.run_id, manifest=manifest)
        location = dg.MetadataValue.text(f"schema reporting in {config.warehouse.dbname}")
    else:
        tables = publish_duckdb(
            config.warehouse.path, config.reporting.path, relations, context.run_id, manifest=manifest
        )
        location = dg.MetadataValue.path(str(config.reporting.path))
    return dg.MaterializeResult(
        metadata={"published_to": location, "tables": {table.name: table.rows for table in tables}}
    )
