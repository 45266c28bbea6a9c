"""`dbt build` alone, as the refresh runs it (same profile environment and vars)."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from orchestration.config import load_config
from orchestration.dbt import DBT_EXECUTABLE, DBT_PROJECT_DIR, dbt_environment, dbt_vars


def dbt_build(config_path: Path, full_refresh: bool) -> dict[str, Any]:
    config = load_config(config_path)
    command = [
        DBT_EXECUTABLE, "build", "--quiet", "--vars", json.dumps(dbt_vars(config)), "--exclude-resource-type", "unit_test",
    ]  # fmt: skip
    if full_refresh:
        command.append("--full-refresh")
    # Target and log folders of our own, so the project's (shared with other runs) are left alone.
    scratch = config.data_dir / "benchmark_dbt"
    environment = {
        **os.environ, **dbt_environment(config), "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_TARGET_PATH": str(scratch / "target"), "DBT_LOG_PATH": str(scratch / "logs"),
    }  # fmt: skip
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {completed.returncode}:\n{completed.stdout[-3000:]}")
    return {"seconds": seconds}
