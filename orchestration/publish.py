"""The publish asset: runs only after the marts were built and every blocking check passed."""
import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.dbt import dbt_project, nps_dbt_models, published_models
from orchestration.quality import CHECKED_RELATIONS
from orchestration.resources import NpsSettings
from reporting.publish import publish_duckdb

PUBLISHED = published_models(dbt_project.manifest_path)


@dg.asset(
    key="reporting_database",
    group_name="publish",
    # Depending on every checked model makes each blocking check gate the publish step.
    deps=[
        get_asset_key_for_model([nps_dbt_models], name)
        for name in sorted({model["name"] for model in PUBLISHED} | set(CHECKED_RELATIONS))
    ],
    description="The reporting database BI tools read: the checked marts, swapped in atomically.",
    kinds={"duckdb"},
    pool="warehouse",
)
def reporting_database(context: dg.AssetExecutionContext, nps: NpsSettings) -> dg.MaterializeResult:
    config = nps.load()
    tables = publish_duckdb(
        config.warehouse.path,
        config.reporting.path,
        [(model["schema"], model["alias"]) for model in PUBLISHED],
        context.run_id,
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(config.reporting.path)),
            "tables": {table.name: table.rows for table in tables},
        }
    )
