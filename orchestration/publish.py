"""Write-audit-publish: dbt writes the warehouse, the checks audit it, this asset publishes.

`reporting_database` depends directly on every checked model, so each blocking check on them (and,
upstream, on the raw tables) must pass before it runs; a failed one skips it and the reporting
database stays exactly as it was.
"""
import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ingestion.pseudonyms import pseudonym_key
from orchestration.attribution import ATTRIBUTION_TABLES, VALUE_SCHEMA
from orchestration.dbt import dbt_project, nps_dbt_models, published_models
from orchestration.quality import checked_models
from orchestration.resources import NpsSettings
from reporting.access import REPORTING_SCHEMA, RESTRICTED_SCHEMA, ReportingRoles
from reporting.catalog import load_manifest
from reporting.publish import Relation, publish_duckdb, publish_postgres

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
    description=(
        "The reporting database BI tools read (and the restricted one with employee-level results): "
        "the checked marts, customers under pseudonymous keys only, swapped in atomically."
    ),
    kinds={"duckdb"},
    pool="warehouse",
)
def reporting_database(context: dg.AssetExecutionContext, nps: NpsSettings) -> dg.MaterializeResult:
    config = nps.load()
    relations = [
        Relation(model["schema"], model["alias"], model["restricted"], model["pseudonyms"]) for model in PUBLISHED
    ]
    relations += [Relation(VALUE_SCHEMA, name) for name in ATTRIBUTION_TABLES]
    manifest = load_manifest(dbt_project.manifest_path)
    key = pseudonym_key(config.data_dir) if any(relation.pseudonyms for relation in relations) else None
    if config.warehouse.type == "postgres":
        roles = ReportingRoles(config.reporting.reader_role, config.reporting.manager_role)
        tables = publish_postgres(
            config.warehouse.dsn, relations, context.run_id, manifest=manifest, pseudonym_key=key, roles=roles
        )
        location = dg.MetadataValue.text(
            f"schemas {REPORTING_SCHEMA} and {RESTRICTED_SCHEMA} in {config.warehouse.dbname}"
        )
    else:
        tables = publish_duckdb(
            config.warehouse.path, config.reporting.path, relations, context.run_id,
            restricted_path=config.reporting.restricted_path, manifest=manifest, pseudonym_key=key,
        )  # fmt: skip
        location = dg.MetadataValue.text(f"{config.reporting.path} and {config.reporting.restricted_path}")
    return dg.MaterializeResult(
        metadata={
            "published_to": location,
            "tables": {table.name: table.rows for table in tables if not table.restricted},
            "restricted_tables": {table.name: table.rows for table in tables if table.restricted},
        }
    )
