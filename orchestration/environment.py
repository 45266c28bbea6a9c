"""Process environment for a run: telemetry off, Dagster's instance under the project's data/."""
from __future__ import annotations

import os
from pathlib import Path

from orchestration.config import CONFIG_ENV, NpsConfig

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "False",
}


def prepare_environment(config_path: Path, config: NpsConfig) -> Path:
    """Set the variables a run needs and return DAGSTER_HOME (kept if the user set one)."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
    os.environ[CONFIG_ENV] = str(config_path)
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(config.data_dir / "dagster")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    instance_yaml = dagster_home / "dagster.yaml"
    if not instance_yaml.exists():
        instance_yaml.write_text("telemetry:\n  enabled: false\n")
    return dagster_home
