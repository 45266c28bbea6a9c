"""The quality gate as Dagster asset checks: GX suites from `expectations/`, run in the warehouse.

Blocking checks (ERROR) stop everything downstream of their asset, publishing included; the others
(WARN) are shown. dbt's own tests are asset checks too, through dagster-dbt's `dbt build`.
"""
import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from expectations.checks import (
    QualityCheck,
    Scope,
    conformed_responses_check,
    customers_check,
    nps_mart_check,
    raw_response_checks,
)
from expectations.runner import run_suites
from ingestion.connectors import CONNECTORS
from ingestion.warehouse import open_warehouse
from orchestration.config import NpsConfig
from orchestration.dbt import dbt_project, nps_dbt_models
from orchestration.resources import NpsSettings

CONFORMED_RESPONSES_MODEL = "int_responses_conformed"
CUSTOMERS_MODEL = "customers"


def checked_models(manifest_path: Path) -> dict[str, tuple[str, QualityCheck]]:
    """dbt model name -> (relation, check): every published model gets the NPS-mart suite; the
    conformed responses and the customer database theirs, once they exist in the project."""
    nodes = [
        node for node in json.loads(manifest_path.read_text())["nodes"].values() if node["resource_type"] == "model"
    ]
    relations = {node["name"]: f"{node['schema']}.{node.get('alias') or node['name']}" for node in nodes}
    checked: dict[str, tuple[str, QualityCheck]] = {}
    for node in sorted(nodes, key=lambda node: node["name"]):
        name, relation = node["name"], relations[node["name"]]
        if node["config"].get("meta", {}).get("publish"):
            checked[name] = (relation, nps_mart_check(relation))
        elif name == CONFORMED_RESPONSES_MODEL:
            customers = relations.get(CUSTOMERS_MODEL)
            checked[name] = (relation, conformed_responses_check(relation, customers, _raw_response_tables()))
        elif name == CUSTOMERS_MODEL:
            checked[name] = (relation, customers_check(relation))
    return checked


def quality_checks(config: NpsConfig) -> list[dg.AssetChecksDefinition]:
    checks = []
    for source_type in sorted({source.type for source in config.sources}):
        table = CONNECTORS[source_type].tables.get("responses")
        if table is None:
            continue
        sources = [source.name for source in config.sources_of_type(source_type)]
        for check in raw_response_checks(table.qualified_name, sources, config.quality):
            checks.append(_asset_check(dg.AssetKey(["raw", source_type, "responses"]), check))
    for model, (_, check) in checked_models(dbt_project.manifest_path).items():
        checks.append(_asset_check(get_asset_key_for_model([nps_dbt_models], model), check))
    return checks


def _raw_response_tables() -> list[str]:
    """Every connector's responses table: all exist in the warehouse, configured or not."""
    return sorted(
        connector.tables["responses"].qualified_name
        for connector in CONNECTORS.values()
        if "responses" in connector.tables
    )


def _asset_check(asset_key: dg.AssetKey, check: QualityCheck) -> dg.AssetChecksDefinition:
    severity = dg.AssetCheckSeverity.ERROR if check.blocking else dg.AssetCheckSeverity.WARN

    @dg.asset_check(
        asset=asset_key,
        name=check.name,
        blocking=check.blocking,
        description=check.description,
        pool="warehouse",
    )
    def _check(context: dg.AssetCheckExecutionContext, nps: NpsSettings) -> dg.AssetCheckResult:
        config = nps.load()
        with open_warehouse(config.warehouse) as warehouse:
            scope = Scope(warehouse.query_frame, config.quality, config.reporting.timezone, datetime.now(UTC))
            outcome = run_suites(
                check.suites(scope),
                project_dir=config.data_dir / "quality",
                docs_dir=config.data_dir / "docs" / "quality",
                fetch=warehouse.query_frame,
            )
        for failure in outcome.failures:
            context.log.warning(f"{asset_key.to_user_string()} {check.name}: {failure.summary()}")
        metadata = outcome.metadata()
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=severity,
            metadata={
                **metadata,
                "failed_expectations": dg.MetadataValue.json(metadata["failed_expectations"]),
                "frames_validated": dg.MetadataValue.json(metadata["frames_validated"]),
                "notes": dg.MetadataValue.json(metadata["notes"]),
                "data_docs": dg.MetadataValue.path(str(config.data_dir / "docs" / "quality" / "index.html")),
            },
        )

    return _check
