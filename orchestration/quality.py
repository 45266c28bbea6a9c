"""GX suites as blocking Dagster asset checks: a failure stops publishing."""
from collections.abc import Callable

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from expectations import suites
from expectations.runner import validate_frame
from ingestion.warehouse import open_warehouse
from orchestration.dbt import nps_dbt_models
from orchestration.resources import NpsSettings

# asset key (dbt model) -> (relation in the warehouse, suite)
CHECKED_RELATIONS: dict[str, tuple[str, Callable]] = {
    "int_responses_conformed": ("intermediate.int_responses_conformed", suites.conformed_responses),
    "nps_overall": ("marts.nps_overall", suites.nps_mart),
    "nps_by_product": ("marts.nps_by_product", suites.nps_mart),
}


def _gx_check(model: str, relation: str, suite: Callable) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=get_asset_key_for_model([nps_dbt_models], model),
        name=f"gx_{suite.__name__}",
        blocking=True,
        description=f"Great Expectations suite `{suite.__name__}` on {relation}",
    )
    def _check(nps: NpsSettings) -> dg.AssetCheckResult:
        config = nps.load()
        with open_warehouse(config.warehouse.path) as warehouse:
            frame = warehouse.query_frame(f"select * from {relation}")
        frame, expectations = suite(frame)
        outcome = validate_frame(frame, f"{model}.{suite.__name__}", expectations)
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows": outcome.rows,
                "expectations": len(outcome.outcomes),
                "failed": [vars(failure) for failure in outcome.failures],
            },
        )

    return _check


quality_checks = [_gx_check(model, *spec) for model, spec in CHECKED_RELATIONS.items()]
