"""`dbt build` alone, as the refresh runs it (same profile environment and vars), with the time
dbt's run results give each node: models, tests, and the models that compute the NPS marts from the
conformed responses (what the hand-written lower bound computes in one statement)."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from orchestration.config import load_config
from orchestration.dbt import DBT_EXECUTABLE, DBT_PROJECT_DIR, dbt_environment, dbt_vars

# From int_responses_conformed to the product, process and employee marts (and the overall one).
MARTS_FROM_CONFORMED = (
    "int_nps_daily_counts", "int_nps_periods", "nps_overall", "nps_by_product", "nps_by_process", "nps_by_employee",
)  # fmt: skip


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
    return {"seconds": seconds, **node_seconds(scratch / "target" / "run_results.json")}


def node_seconds(run_results: Path) -> dict[str, Any]:
    """Execution time summed over models, over tests, and over the marts-from-conformed models, and
    each model's own (which of them grow with the history)."""
    figures: dict[str, Any] = {"models_seconds": 0.0, "tests_seconds": 0.0, "marts_from_conformed_seconds": 0.0}
    models: dict[str, float] = {}
    for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]:
        unique_id = result["unique_id"].split(".")  # model.nps.int_nps_periods
        resource_type, name = unique_id[0], unique_id[-1]
        if resource_type == "model":
            models[name] = result["execution_time"]
            figures["models_seconds"] += result["execution_time"]
            if name in MARTS_FROM_CONFORMED:
                figures["marts_from_conformed_seconds"] += result["execution_time"]
        elif resource_type == "test":
            figures["tests_seconds"] += result["execution_time"]
    return {**figures, "model_seconds": models}
