"""Process environment for a run: telemetry off, Dagster's instance under the project's data/."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from orchestration.config import CONFIG_ENV, NpsConfig
from orchestration.pools import pool_settings

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "False",
}
# dagster.yaml names this variable, so the PostgreSQL URL (and its password) is never written down.
DAGSTER_PG_URL_ENV = "NPS_DAGSTER_PG_URL"


def dagster_instance_settings(config: NpsConfig) -> dict:
    # freshness: the daemon (`dagster dev`) evaluates the assets' freshness policies for the UI.
    settings: dict = {"telemetry": {"enabled": False}, "freshness": {"enabled": True}, **pool_settings(config)}
    if config.dagster.storage == "postgres":
        settings["storage"] = {"postgres": {"postgres_url": {"env": DAGSTER_PG_URL_ENV}}}
    return settings


def prepare_environment(config_path: Path, config: NpsConfig) -> Path:
    """Set the variables a run needs and return DAGSTER_HOME. A DAGSTER_HOME the user set is theirs
    (with their dagster.yaml); otherwise it is data/dagster, configured from nps.yaml."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
    os.environ[CONFIG_ENV] = str(config_path)
    if config.dagster.postgres_url:
        os.environ[DAGSTER_PG_URL_ENV] = config.dagster.postgres_url.get_secret_value()
    if "DAGSTER_HOME" in os.environ:
        return Path(os.environ["DAGSTER_HOME"])
    dagster_home = config.data_dir / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(yaml.safe_dump(dagster_instance_settings(config)))
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    return dagster_home
