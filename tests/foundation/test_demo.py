"""The demo end to end on a small world: the published NPS equals the world's, computed apart."""
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from ingestion.pseudonyms import KEY_FILE_NAME, PSEUDONYM_KEY_ENV
from orchestration.cli import main
from reporting.summary import last_full_quarter
from tests.privacy.personal_data import duckdb_text_values, found, keyed_hash, world_personal_values


def world_nps_by_product(world, quarter_start) -> dict[tuple[str, str], tuple[int, float]]:
    responses = pd.concat(pd.read_csv(path) for path in sorted((world / "responses").glob("*.csv")))
    local = pd.to_datetime(responses["responded_at"], utc=True).dt.tz_convert("Europe/Amsterdam")
    in_quarter = responses[local.dt.to_period("Q").dt.start_time.dt.date == quarter_start]
    result = {}
    for (survey_type, product), group in in_quarter.groupby(["survey_type", "product"]):
        n = len(group)
        nps = 100.0 * ((group["score"] >= 9).sum() - (group["score"] <= 6).sum()) / n
        result[(survey_type, product)] = (n, nps)
    return result


SECRETS = {
    "QUALTRICS_API_TOKEN": "qx-SECRET-4f1d9a",
    "SURVEYMONKEY_ACCESS_TOKEN": "sm-SECRET-88b2c1",
    "TYPEFORM_ACCESS_TOKEN": "tf-SECRET-0c7e55",
    "DELIGHTED_API_KEY": "dl-SECRET-a9d310",
    "HUBSPOT_ACCESS_TOKEN": "hs-SECRET-6b02fe",
}


def files_containing(folder, needles: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            hits = [needle for needle in needles if needle.encode() in content]
            if hits:
                found[str(path)] = hits
    return found


@pytest.mark.slow
def test_demo_refreshes_a_generated_world_and_publishes_its_nps(tmp_path, monkeypatch):
    for name, token in SECRETS.items():
        monkeypatch.setenv(name, token)
    monkeypatch.delenv(PSEUDONYM_KEY_ENV, raising=False)  # a fresh clone: the installation makes its key

    result = CliRunner().invoke(main, ["demo", "--home", str(tmp_path), "--responses", "3000", "--seed", "7", "--emulator-port", "0"])

    assert result.exit_code == 0, result.output
    # Every source authenticated with its secret, and no secret reached a file, log or event store.
    assert files_containing(tmp_path, list(SECRETS.values())) == {}
    assert not any(token in result.output for token in SECRETS.values())
    quarter = last_full_quarter(datetime.now(UTC).date())
    assert f"NPS for {quarter.year} Q{(quarter.month - 1) // 3 + 1}" in result.output
    assert "dagster dev -w" in result.output
    con = duckdb.connect(str(tmp_path / "data" / "reporting.duckdb"), read_only=True)
    published = con.execute(
        "select survey_type, product, responses, nps from nps_by_product "
        "where period_grain = 'quarter' and period_start = ?",
        [quarter],
    ).fetchall()
    con.close()
    expected = world_nps_by_product(tmp_path / "world", quarter)
    assert {(t, p): (n, pytest.approx(nps)) for t, p, n, nps in published} == expected
    assert (tmp_path / "nps.yaml").read_text().startswith("# Written by `nps demo`")
    assert_reporting_holds_no_personal_data(tmp_path)


def assert_reporting_holds_no_personal_data(home) -> None:
    """Customers only under keyed hashes, employees only in the restricted file, and the key itself
    in its own file only (not in a log, the event store or a database)."""
    data = home / "data"
    key = (data / KEY_FILE_NAME).read_text().strip()
    assert files_containing(home, [key]) == {str(data / KEY_FILE_NAME): [key]}
    general = duckdb_text_values(data / "reporting.duckdb")
    restricted = duckdb_text_values(data / "reporting_restricted.duckdb")
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    rated = [row[0] for row in con.execute("select customer_id from customers.customers where ratings > 0").fetchall()]
    crm_ids = {row[0] for row in con.execute("select crm_account_id from customers.customers").fetchall()}
    response_ids = {value for row in con.execute(
        "select response_id, response_key from customers.customer_ratings"
    ).fetchall() for value in row}  # fmt: skip
    employees = {row[0] for row in con.execute(
        "select distinct employee_id from customers.customer_ratings where employee_id is not null"
    ).fetchall()}  # fmt: skip
    con.close()
    personal = world_personal_values(home / "world") | crm_ids | response_ids
    assert rated and employees and len(personal) > 1000

    assert found(general, personal) == {} and found(restricted, personal) == {}
    assert found(general, employees) == {}
    assert "nps_by_employee" in found(restricted, employees)
    con = duckdb.connect(str(data / "reporting.duckdb"), read_only=True)
    keys = [row[0] for row in con.execute("select customer_key from customer_scores").fetchall()]
    con.close()
    assert sorted(keys) == sorted(keyed_hash(key.encode(), customer) for customer in rated)


def test_demo_refuses_to_overwrite_a_config_it_did_not_write(tmp_path):
    (tmp_path / "nps.yaml").write_text("sources: []\n")

    result = CliRunner().invoke(main, ["demo", "--home", str(tmp_path), "--responses", "500"])

    assert result.exit_code != 0
    assert "was not written by the demo" in result.output
    assert (tmp_path / "nps.yaml").read_text() == "sources: []\n"
