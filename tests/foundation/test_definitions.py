import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.dbt import dbt_project, ensure_manifest
from orchestration.definitions import build_definitions
from orchestration.status import DBT_MANIFEST
from tests.conftest import write_config

REPO = Path(__file__).resolve().parents[2]


def test_definitions_wire_ingestion_dbt_checks_and_publish_into_the_nightly_job(tmp_path):
    path = write_config(tmp_path, {"sources": [{"name": "exports", "type": "csv", "path": "x/*.csv"}]})

    defs = build_definitions(path)

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw/csv/responses", "intermediate/int_responses_conformed", "marts/nps_by_product",
            "reporting_database"} <= keys
    job = defs.resolve_job_def("nightly_refresh")
    assert job.executor_def is dg.in_process_executor
    checks = defs.resolve_asset_graph().asset_check_keys
    mart_checks = {check for check in checks if check.asset_key.path[0] == "marts" and check.name.startswith("gx_")}
    assert {c.asset_key.to_user_string() for c in mart_checks} >= {"marts/nps_overall", "marts/nps_by_product"}
    assert all(defs.resolve_asset_graph().get_check_spec(check).blocking for check in mart_checks)
    # the assets the refresh keeps current carry its freshness policy; `nps status` reads the same
    # rule (freshness_rules.keeps_current) and the same manifest, without building the definitions
    graph = defs.resolve_asset_graph()
    policies = {key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).freshness_policy}
    assert {"raw/csv/responses", "marts/nps_overall", "customers/customers", "reporting_database"} <= policies
    assert not policies & {"intermediate/int_responses_conformed", "staging/stg_csv__responses", "nps_report"}
    assert DBT_MANIFEST == dbt_project.manifest_path
    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_loads_and_models_are_day_partitions_backfilled_in_one_run_and_publish_is_not(tmp_path):
    path = write_config(tmp_path, {
        "sources": [{"name": "exports", "type": "csv", "path": "x/*.csv"}],
        "reporting": {"timezone": "Europe/Amsterdam"},
        "backfill": {"start_date": "2024-03-01"},
    })  # fmt: skip

    defs = build_definitions(path)

    graph = defs.resolve_asset_graph()
    for key in ("raw/csv/responses", "intermediate/int_responses_conformed", "marts/nps_overall"):
        node = graph.get(dg.AssetKey.from_user_string(key))
        assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition), key
        assert (node.partitions_def.start.date().isoformat(), node.partitions_def.timezone) == ("2024-03-01", "Europe/Amsterdam")
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
    assert graph.get(dg.AssetKey("reporting_database")).partitions_def is None
    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Europe/Amsterdam")
    with dg.instance_for_test() as instance:
        tick = dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=datetime(2026, 3, 29, 2, 0, tzinfo=ZoneInfo("Europe/Amsterdam")),
            repository_def=defs.get_repository_def(),
        )
        [request] = schedule.evaluate_tick(tick).run_requests
    assert request.partition_key == "2026-03-28"  # the day that has just ended


def test_the_dbt_manifest_is_prepared_once_not_on_every_load():
    manifest = ensure_manifest()
    modified = manifest.stat().st_mtime_ns

    assert ensure_manifest() == manifest
    assert manifest.stat().st_mtime_ns == modified


def test_dagster_validates_the_workspace(tmp_path):
    path = write_config(tmp_path, {"sources": [{"name": "exports", "type": "csv", "path": "x/*.csv"}]})
    dagster = Path(sys.executable).parent / "dagster"

    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO, env={**os.environ, "NPS_CONFIG": str(path)}, capture_output=True, text=True, timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
