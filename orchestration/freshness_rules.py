"""What is fresh, in one place for the definitions (orchestration/freshness.py sets Dagster freshness
policies from it) and for `nps status`, which must answer in seconds and so judges from the asset
keys alone, without building the definitions (dagster-dbt, the manifest: half a minute)."""
import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from orchestration.config import NpsConfig

REPORTING_DATABASE = "reporting_database"
CUSTOMER_DATABASE_MODELS = ("customers", "customer_ratings")
NEWEST_RESPONSE_CHECK = "newest_response_recent"


def refresh_window(config: NpsConfig) -> timedelta:
    """Late once the last materialization is older than this."""
    return timedelta(hours=config.quality.freshness.max_refresh_age_hours)


def refreshed_models(manifest_path: Path) -> set[str]:
    """The dbt models the refresh keeps current: the published ones and the customer database's,
    those the project has."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return {
        node["name"]
        for node in nodes
        if node["resource_type"] == "model"
        and (node["config"].get("meta", {}).get("publish") or node["name"] in CUSTOMER_DATABASE_MODELS)
    }


def keeps_current(key_path: Sequence[str], models: set[str]) -> bool:
    """Whether the nightly refresh keeps this asset current: the loads (raw/<source type>/<object>),
    the models named (a dbt model's key ends with its name) and the reporting database."""
    return key_path[0] == "raw" or key_path[-1] in models or list(key_path) == [REPORTING_DATABASE]
