"""`nps status` read from Dagster's instance (SQLite and PostgreSQL): the last runs, each refreshed
asset's freshness, the latest result of every check, and the warehouse pool, knowing the assets and
checks from what the refresh planned (not from the definitions: too slow to build); and the pool
itself: one slot on DuckDB, so a second run's warehouse steps wait for the first's."""
import threading
import time
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pytest
import yaml

from orchestration import status
from orchestration.config import load_config
from orchestration.environment import prepare_environment
from orchestration.freshness import newest_response_moment
from orchestration.freshness_rules import keeps_current
from orchestration.pools import WAREHOUSE_POOL, refresh_tags, release_slots_of_dead_refreshes
from orchestration.progress import _describe
from tests.conftest import write_config

REFRESH_WINDOW = timedelta(hours=26)


@dg.asset(key=["raw", "csv", "responses"], pool=WAREHOUSE_POOL)
def raw_responses() -> None:
    pass


@dg.asset(key=["marts", "nps_overall"], deps=[raw_responses], pool=WAREHOUSE_POOL)
def nps_overall(context: dg.AssetExecutionContext) -> None:
    if context.run.tags.get("break") == "mart":
        raise RuntimeError("the mart broke")


@dg.asset(key="reporting_database", deps=[nps_overall])
def reporting_database() -> None:
    pass


@dg.asset_check(asset=raw_responses, name="gx_daily_volume")
def daily_volume() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, metadata={"summary": "1 failed: daily_volume_within_band"})


@dg.asset_check(asset=nps_overall, name="gx_nps_mart_valid")
def mart_valid() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset_check(asset=nps_overall, name="newest_response_recent")
def newest_response() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False, severity=dg.AssetCheckSeverity.WARN, description="newest response 60.0 h old (at most 48 h)"
    )


@dg.asset_check(asset=reporting_database, name="published")
def published() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


DEFS = dg.Definitions(
    assets=[raw_responses, nps_overall, reporting_database],
    asset_checks=[daily_volume, mart_valid, newest_response, published],
    jobs=[dg.define_asset_job("tiny_refresh", selection=["raw/csv/responses", "marts/nps_overall"],
                              executor_def=dg.in_process_executor)],  # fmt: skip
)


@pytest.fixture(params=["sqlite", "postgres"])
def instance(request, tmp_path, monkeypatch):
    """Dagster's instance on SQLite (the test's own home) or on a fresh PostgreSQL database."""
    if request.param == "postgres":
        dbname = request.getfixturevalue("postgres_database").split("dbname=")[1]
        home = tmp_path / "dagster_pg"
        home.mkdir()
        url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{dbname}"
        (home / "dagster.yaml").write_text(yaml.safe_dump({"storage": {"postgres": {"postgres_url": url}}}))
        monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        yield instance


def execute(instance, asset_selection=None, **tags) -> dg.ExecuteInProcessResult:
    return DEFS.resolve_job_def("tiny_refresh").execute_in_process(
        instance=instance, tags=tags, asset_selection=asset_selection, raise_on_error=False
    )


def graph_keys() -> tuple[list, list]:
    """The assets the refresh keeps current (of all here, reporting_database included though the
    job leaves it out: it never ran), and all checks."""
    graph = DEFS.resolve_asset_graph()
    watched = [key for key in graph.get_all_asset_keys() if keeps_current(key.path, {"nps_overall"})]
    return watched, sorted(graph.asset_check_keys, key=lambda key: (key.asset_key.to_user_string(), key.name))


def test_status_shows_runs_freshness_and_the_latest_result_of_every_check(instance):
    watched, check_keys = graph_keys()
    first = execute(instance)
    now = datetime.now(UTC)

    runs = status.run_lines(instance)
    freshness = status.freshness_lines(instance, watched, check_keys, REFRESH_WINDOW, now)
    checks = status.check_summary_lines(instance, check_keys)

    assert runs[0] == "Runs (latest 1):"
    assert runs[2].startswith(f"  {first.run_id[:8]}  tiny_refresh ") and runs[2].endswith("  SUCCESS")
    assert freshness[0] == "Freshness (late: not materialized for 26h00m):"
    [raw] = [line for line in freshness if "raw/csv/responses" in line]
    [mart] = [line for line in freshness if "marts/nps_overall" in line]
    [reporting] = [line for line in freshness if "reporting_database" in line]
    assert raw.endswith("  ok") and reporting.endswith("  NEVER")
    assert mart.endswith("  ok; newest response 60.0 h old (at most 48 h): STALE")
    assert checks[0] == "Checks (4, latest result of each): 1 passed, 1 failed, 1 warned, 1 never ran"
    assert checks[1].startswith("  ERROR  raw/csv/responses: gx_daily_volume  ")
    assert checks[1].endswith(f"  run {first.run_id[:8]}  1 failed: daily_volume_within_band")
    assert checks[2].startswith("  WARN   marts/nps_overall: newest_response_recent  ")
    # A day and a bit later, without a run since, the materialized assets are late.
    later = now + timedelta(hours=27)
    marts, raw, reporting = status.freshness_lines(instance, watched, check_keys, REFRESH_WINDOW, later)[2:]
    assert " 27h00m  LATE; newest response" in marts and raw.endswith(" 27h00m  LATE") and reporting.endswith("NEVER")


def test_checks_a_failed_run_did_not_evaluate_keep_their_previous_result(instance):
    _, check_keys = graph_keys()
    execute(instance)
    broken = execute(instance, **{"break": "mart"})

    checks = status.check_summary_lines(instance, check_keys)
    runs = status.run_lines(instance)

    assert not broken.success
    assert checks[0] == (
        "Checks (4, latest result of each): 1 passed, 1 failed, 1 warned, 1 never ran; "
        "2 not evaluated by their latest run"
    )
    assert runs[0] == "Runs (latest 2):" and runs[2].endswith("  FAILURE") and runs[3].endswith("  SUCCESS")


def test_status_takes_the_assets_and_checks_from_the_newest_run_of_the_whole_job_on(instance):
    assert status.planned_keys(instance, "tiny_refresh") == ([], [])
    execute(instance)
    execute(instance, asset_selection=[raw_responses.key])  # a run of part of the job, since

    assets, checks = status.planned_keys(instance, "tiny_refresh")

    assert [key.to_user_string() for key in assets] == ["marts/nps_overall", "raw/csv/responses"]
    assert [(key.asset_key.to_user_string(), key.name) for key in checks] == [
        ("marts/nps_overall", "gx_nps_mart_valid"),
        ("marts/nps_overall", "newest_response_recent"),
        ("raw/csv/responses", "gx_daily_volume"),
    ]
    assert status.planned_keys(instance) == ([], [])  # no nightly_refresh run here


def test_the_refresh_keeps_current_the_loads_the_published_and_customer_models_and_reporting():
    models = {"nps_overall", "customers"}
    kept = [["raw", "csv", "responses"], ["marts", "nps_overall"], ["customers", "customers"], ["reporting_database"]]
    not_kept = [["intermediate", "int_responses_conformed"], ["marts", "nps_value_model"], ["nps_report"]]
    assert all(keeps_current(path, models) for path in kept)
    assert not any(keeps_current(path, models) for path in not_kept)


def test_the_generated_dagster_yaml_gives_the_warehouse_pool_one_slot_on_duckdb_only(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME")
    duckdb_home = prepare_environment(*_config(tmp_path / "duck", {}))
    monkeypatch.delenv("DAGSTER_HOME")
    postgres = {"warehouse": {"type": "postgres", "dbname": "nps"}}
    postgres_home = prepare_environment(*_config(tmp_path / "pg", postgres))

    on_duckdb = yaml.safe_load((duckdb_home / "dagster.yaml").read_text())
    on_postgres = yaml.safe_load((postgres_home / "dagster.yaml").read_text())

    assert on_duckdb["concurrency"] == {"pools": {"granularity": "op", "default_limit": 1}}
    assert "concurrency" not in on_postgres
    assert on_duckdb["freshness"] == on_postgres["freshness"] == {"enabled": True}
    with dg.DagsterInstance.get() as instance:  # the last prepared: PostgreSQL's
        assert status.pool_lines(instance) == ["Pool warehouse: no limit"]
    monkeypatch.setenv("DAGSTER_HOME", str(duckdb_home))
    with dg.DagsterInstance.get() as instance:
        assert status.pool_lines(instance, one_writer=True) == ["Pool warehouse: 1 slot, free"]


def test_on_duckdb_a_second_runs_warehouse_steps_wait_for_the_first(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME")
    prepare_environment(*_config(tmp_path, {}))
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
        assert storage.claim_concurrency_slot(WAREHOUSE_POOL, "first-run", "raw_csv_responses").is_claimed
        results = []
        second = threading.Thread(target=lambda: results.append(execute(instance)))
        second.start()
        time.sleep(4)
        waiting = status.pool_lines(instance)
        assert results == [] and second.is_alive()
        storage.free_concurrency_slots_for_run("first-run")
        second.join(timeout=120)

    assert waiting == ["Pool warehouse: 1 slot, held by run first-ru (raw_csv_responses); 1 step(s) waiting"]
    assert results and results[0].success
    # `nps refresh` says why it stands still
    progress = [_describe(event) for event in results[0].all_events]
    assert "   waiting: raw__csv__responses (another run holds the warehouse pool; `nps status` names it)" in progress


def test_a_killed_refresh_leaves_no_slot_behind_and_other_runs_keep_theirs(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME")
    prepare_environment(*_config(tmp_path, {}))
    job = DEFS.resolve_job_def("tiny_refresh")
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots(WAREHOUSE_POOL, 2)
        killed = instance.create_run_for_job(job, tags=refresh_tags(tmp_path / "data"), status=dg.DagsterRunStatus.STARTED)
        from_ui = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED)
        for run in (killed, from_ui):
            assert storage.claim_concurrency_slot(WAREHOUSE_POOL, run.run_id, "step").is_claimed

        released = release_slots_of_dead_refreshes(instance, tmp_path / "data")

        assert released == [killed.run_id]
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(from_ui.run_id).status == dg.DagsterRunStatus.STARTED
        assert [slot.run_id for slot in storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots] == [from_ui.run_id]


def _config(home, data):
    path = write_config(home, data)
    return path, load_config(path)


def test_the_newest_day_of_a_daily_mart_counts_from_its_end_in_the_reporting_timezone():
    assert newest_response_moment(date(2026, 3, 28), "Europe/Amsterdam") == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert newest_response_moment(datetime(2026, 3, 28, 9), "Europe/Amsterdam") == datetime(2026, 3, 28, 9, tzinfo=UTC)
    assert newest_response_moment(None, "UTC") is None
