"""Freshness, two ways. Dagster freshness policies on what the nightly refresh keeps current
(ingestion, the published marts, the customer database, the reporting database): late once the last
materialization is older than `quality.freshness.max_refresh_age_hours` (the UI, `nps status`). And
asset checks on the newest response in the marts, which a refresh that ran but took in nothing new
leaves behind: older than `quality.freshness.max_response_age_hours` is a WARN (ERROR if `blocking`).
"""
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ingestion.warehouse import open_warehouse
from orchestration.config import NpsConfig
from orchestration.dbt import dbt_project, nps_dbt_models
from orchestration.freshness_rules import NEWEST_RESPONSE_CHECK, keeps_current, refresh_window, refreshed_models
from orchestration.pools import WAREHOUSE_POOL
from orchestration.resources import NpsSettings

# model -> how to read its newest response: a timestamp column, or the newest day of a daily grain
NEWEST_RESPONSE_SQL = {
    "customer_ratings": "select max(responded_at) from {relation}",
    "nps_overall": "select max(period_start) from {relation} where period_grain = 'day'",
}


def refresh_policy(config: NpsConfig) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=refresh_window(config))


def with_freshness_policies(assets: list, config: NpsConfig) -> list:
    """The assets, those the nightly refresh keeps current with the refresh policy."""
    policy = refresh_policy(config)
    models = refreshed_models(dbt_project.manifest_path)

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        if keeps_current(spec.key.path, models):
            return dg.apply_freshness_policy(spec, policy)
        return spec

    return list(dg.map_asset_specs(apply, assets))


def _model_relations(manifest_path: Path) -> dict[str, str]:
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return {
        node["name"]: f"{node['schema']}.{node.get('alias') or node['name']}"
        for node in nodes
        if node["resource_type"] == "model"
    }


def newest_response_checks(config: NpsConfig) -> list[dg.AssetChecksDefinition]:
    relations = _model_relations(dbt_project.manifest_path)
    return [
        _newest_response_check(model, relations[model], sql, config.quality.freshness.blocking)
        for model, sql in NEWEST_RESPONSE_SQL.items()
        if model in relations
    ]


def newest_response_moment(newest: datetime | date | None, timezone: str) -> datetime | None:
    """A day (of a daily grain, cut in the reporting timezone) counts from its end: the newest
    response is at least that old, so a late verdict is never a false alarm."""
    if newest is None:
        return None
    if isinstance(newest, datetime):  # warehouse timestamps without a zone are UTC
        return newest if newest.tzinfo else newest.replace(tzinfo=UTC)
    return datetime.combine(newest + timedelta(days=1), time(), ZoneInfo(timezone))


def _newest_response_check(model: str, relation: str, sql: str, blocking: bool) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=get_asset_key_for_model([nps_dbt_models], model),
        name=NEWEST_RESPONSE_CHECK,
        blocking=blocking,
        description=f"{relation}: its newest response within quality.freshness.max_response_age_hours",
        pool=WAREHOUSE_POOL,
    )
    def _check(nps: NpsSettings) -> dg.AssetCheckResult:
        config = nps.load()
        with open_warehouse(config.warehouse) as warehouse:
            newest = warehouse.execute(sql.format(relation=relation))[0][0]
        moment = newest_response_moment(newest, config.reporting.timezone)
        max_hours = config.quality.freshness.max_response_age_hours
        age_hours = (datetime.now(UTC) - moment).total_seconds() / 3600 if moment is not None else None
        summary = f"newest response {age_hours:.1f} h old (at most {max_hours:g} h)" if age_hours is not None else "no responses"
        return dg.AssetCheckResult(
            passed=age_hours is not None and age_hours <= max_hours,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            metadata={
                "summary": summary,  # what `nps refresh` prints beside a failed check
                "newest_response": str(newest) if newest is not None else "none",
                "age_hours": round(age_hours, 1) if age_hours is not None else None,
                "max_age_hours": max_hours,
            },
            description=summary,
        )

    return _check
