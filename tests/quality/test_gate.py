"""The quality gate end to end, through `run_refresh`: a passing refresh publishes; each kind of bad
data fails the refresh naming the check, leaves the reporting database byte for byte as it was,
and `nps status` says why. One good world is refreshed once and copied for each bad one."""
import hashlib
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ingestion.warehouse import DuckDBWarehouse
from orchestration.config import load_config
from orchestration.refresh import run_refresh
from orchestration.status import render_status
from tests.conftest import write_config, write_csv

pytestmark = pytest.mark.slow

CONFIG = {
    "reporting": {"timezone": "Europe/Amsterdam", "min_responses": 30},
    "sources": [{"name": "exports", "type": "csv", "path": "exports/*.csv"}],
    "quality": {"daily_volume": {"min_baseline": 5}},
}
DAYS, PER_DAY = 30, 10


def response_rows(prefix: str = "R") -> list[str]:
    """10 responses a day for the 30 days up to yesterday, and one for a rarely rated product. Days
    are those of the reporting timezone: cut in UTC, the hour before midnight in Amsterdam would
    leave the day the checks judge (yesterday there) without responses."""
    local_now = datetime.now(ZoneInfo(CONFIG["reporting"]["timezone"]))
    first = local_now.replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=DAYS)
    rows = [
        f"{prefix}{day:02d}{n},{(first + timedelta(days=day, minutes=n)).isoformat()},{(day + n) % 11},,,,"
        f"p{n % 2},support,E1,transactional,email,en"
        for day in range(DAYS) for n in range(PER_DAY)
    ]  # fmt: skip
    return rows + [f"{prefix}rare,{first.isoformat()},10,,,,rare,support,E1,transactional,email,en"]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published_world(tmp_path_factory):
    home = tmp_path_factory.mktemp("published_world")
    write_config(home, CONFIG)
    write_csv(home / "exports" / "responses.csv", response_rows())
    quiet_dagster_home(home / "dagster_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
        outcome = run_refresh(home / "nps.yaml")
        status = render_status(home / "nps.yaml", load_config(home / "nps.yaml"))
    return home, outcome, status


@pytest.fixture
def world(published_world, tmp_path):
    """A copy of the published world, with its own (fresh) Dagster home."""
    home = tmp_path / "world"
    shutil.copytree(published_world[0], home, ignore=shutil.ignore_patterns("dagster_home"))
    quiet_dagster_home(Path(os.environ["DAGSTER_HOME"]))
    return home


def quiet_dagster_home(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")


def refresh_fails(home):
    reporting = home / "data" / "reporting.duckdb"
    before, inode = digest(reporting), reporting.stat().st_ino
    outcome = run_refresh(home / "nps.yaml")
    assert not outcome.success
    assert (digest(reporting), reporting.stat().st_ino) == (before, inode)
    return outcome, render_status(home / "nps.yaml", load_config(home / "nps.yaml"))


def test_a_passing_refresh_publishes_every_mart_and_builds_data_docs(published_world):
    home, outcome, status = published_world

    assert outcome.success, outcome
    assert outcome.failed_checks == [] and outcome.warned_checks == []
    assert "reporting_database" not in outcome.skipped_assets
    assert f"published: " in status and f"by run {outcome.run_id}" in status
    assert "nps_by_product" in status and "status: SUCCESS" in status
    assert "gx_nps_mart_valid" not in status  # nothing failed, nothing to explain
    lines = status.splitlines()
    assert f"  {outcome.run_id[:8]}  nightly_refresh " in status and "Checks (" in status
    assert any(line.startswith("Checks (") and " 0 failed, 0 warned, 0 never ran" in line for line in lines)
    for asset in ("raw/csv/responses", "marts/nps_overall", "customers/customers", "reporting_database"):
        [line] = [line for line in lines if line.startswith(f"  {asset} ")]
        assert "  ok" in line, line  # just materialized, so not late
    [ratings] = [line for line in lines if line.startswith("  customers/customer_ratings ")]
    assert "; newest response " in ratings and "STALE" not in ratings
    index = (home / "data" / "docs" / "quality" / "index.html").read_text()
    assert "marts.nps_overall.nps_mart" in index and "raw.csv__responses.values" in index


def test_scores_of_11_future_dates_and_a_batch_loaded_twice_stop_publishing(world):
    warehouse = DuckDBWarehouse(world / "data" / "warehouse.duckdb")
    # a source mapping that yields 11 on a 0..10 scale, landed straight into raw
    warehouse.execute(
        "insert into raw.csv__responses (response_id, responded_at, score, survey_type, _source, _batch_id,"
        " _loaded_at) values ('MAP-1', now() - interval 1 day, 11, 'transactional', 'exports', 'mapping', now())"
    )
    warehouse.close()
    # the same export again under new ids, plus two answers dated next week
    tomorrow = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    write_csv(world / "exports" / "again.csv", response_rows(prefix="AGAIN-") + [
        f"FUTURE-{n},{tomorrow},9,,,,p1,support,E1,transactional,email,en" for n in (1, 2)])  # fmt: skip

    outcome, status = refresh_fails(world)

    assert [check.split(" (")[0] for check in outcome.failed_checks] == [
        "raw/csv/responses: gx_daily_volume", "raw/csv/responses: gx_raw_responses_valid"]
    assert "reporting_database" in outcome.skipped_assets
    for explanation in ("failed check (blocking): raw/csv/responses: gx_raw_responses_valid",
                        "score_in_range [expect_column_values_to_be_between(score)]", "'MAP-1'",
                        "responded_at_not_in_future", "'FUTURE-1'",
                        "failed check (blocking): raw/csv/responses: gx_daily_volume",
                        "daily_volume_within_band", "'ratio': 2.0", "not materialized:"):  # fmt: skip
        assert explanation in status


def test_a_failing_dbt_test_is_a_failed_check_and_stops_publishing(world):
    warehouse = DuckDBWarehouse(world / "data" / "warehouse.duckdb")
    warehouse.execute(
        "insert into raw.csv__responses (response_id, responded_at, score, survey_type, _source, _batch_id,"
        " _loaded_at) values (null, now() - interval 1 day, 8, 'transactional', 'exports', 'no-id', now())"
    )
    warehouse.close()

    outcome, status = refresh_fails(world)

    assert any(check.endswith("not_null_stg_csv__responses") for check in outcome.failed_checks)
    assert any(step.startswith("nps_dbt_models") for step in outcome.failed_steps)
    assert "reporting_database" in outcome.skipped_assets
    assert "not_null_stg_csv__responses" in status


def test_a_mart_that_reports_single_responses_fails_the_interval_rule(world):
    # min_responses 1 makes n = 1 groups reportable, whose adjusted-Wald interval misses their NPS
    write_config(world, {**CONFIG, "reporting": {**CONFIG["reporting"], "min_responses": 1}})

    outcome, status = refresh_fails(world)

    assert "marts/nps_by_product: gx_nps_mart_valid" in [check.split(" (")[0] for check in outcome.failed_checks]
    assert "interval_contains_nps" in status and "'product': 'rare'" in status
