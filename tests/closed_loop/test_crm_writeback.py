"""Write-back of the latest ratings to the emulated CRMs: only changed objects, in batches, idempotent,
a dry run writes nothing, failures stay pending; the values are read back through the CRMs' GET APIs."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime

import dagster as dg
import pytest
import requests
import yaml
from click.testing import CliRunner

from ingestion.warehouse import open_warehouse
from orchestration.cli import main
from orchestration.crm_writeback import crm_writeback
from orchestration.resources import NpsSettings
from reporting import crm_writeback as crm_writeback_module
from reporting.crm_writeback import STATE_TABLE, describe, write_back
from tests.closed_loop.world_build import FAST_HTTP, crm_sources

pytestmark = pytest.mark.slow
BEARER = {"Authorization": "Bearer demo-token"}
WRITTEN_AT = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.fixture
def warehouse(built, tmp_path):
    """A copy of the built warehouse, so every test starts with nothing written back."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(built.warehouse, path)
    with open_warehouse(path) as connection:
        yield connection


def expected_ratings(warehouse, source: str, object_type: str) -> dict[str, tuple[str, str, str]]:
    rows = warehouse.execute(
        "select crm_object_id, latest_score, latest_nps_category, strftime(last_rated_at, '%Y-%m-%dT%H:%M:%S.000Z') "
        "from marts.crm_writeback_ratings where source_name = ? and object_type = ?",
        (source, object_type),
    )
    return {str(r[0]): (str(r[1]), r[2], r[3]) for r in rows}


def hubspot_companies(server, names: tuple[str, ...]) -> dict[str, tuple]:
    found, after = {}, None
    while True:
        params = {"limit": 100, "properties": ",".join(names), **({"after": after} if after else {})}
        page = requests.get(f"{server.vendor_url('hubspot')}/crm/v3/objects/companies", params=params, headers=BEARER, timeout=5).json()
        found.update({item["id"]: tuple(item["properties"].get(n) for n in names) for item in page["results"]})
        after = (page.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return found


def batch_updates(server, vendor: str) -> int:
    return sum(1 for v, method, path in server.requests if v == vendor and (path.endswith("/batch/update") or method == "PATCH"))


def test_hubspot_companies_get_the_latest_ratings_in_batches_of_100_and_a_rerun_writes_nothing(emulator, warehouse):
    hubspot = crm_sources(emulator, hubspot={"enabled": True})[0]
    expected = expected_ratings(warehouse, "hubspot", "account")

    first = write_back(warehouse, hubspot, now=WRITTEN_AT)
    again = write_back(warehouse, hubspot, now=WRITTEN_AT)

    assert len(expected) > 200
    assert (first.written, first.requests, first.failures) == (len(expected), -(-len(expected) // 100), [])
    assert (again.pending, again.written, again.requests) == (0, 0, 0)
    assert batch_updates(emulator, "hubspot") == first.requests
    read_back = hubspot_companies(emulator, ("nps_last_score", "nps_last_category", "nps_last_responded_at"))
    assert {k: v for k, v in read_back.items() if k in expected} == expected
    assert all(v == (None, None, None) for k, v in read_back.items() if k not in expected)


def test_only_a_customer_whose_latest_rating_changed_is_written_again(emulator, warehouse):
    hubspot = crm_sources(emulator, hubspot={"enabled": True, "properties": {"score": "last_nps"}})[0]
    write_back(warehouse, hubspot, now=WRITTEN_AT)
    company = min(expected_ratings(warehouse, "hubspot", "account"))
    warehouse.execute(
        "update marts.crm_writeback_ratings set latest_score = 0, latest_nps_category = 'detractor' "
        "where source_name = 'hubspot' and crm_object_id = ?",
        (company,),
    )

    changed = write_back(warehouse, hubspot, now=WRITTEN_AT)

    assert [(c.crm_object_id, c.score, c.category) for c in changed.sample] == [(company, 0, "detractor")]
    assert (changed.written, changed.requests) == (1, 1)
    assert hubspot_companies(emulator, ("last_nps", "nps_last_category"))[company] == ("0", "detractor")


def test_a_dry_run_lists_the_changes_and_writes_nothing(emulator, warehouse):
    hubspot = crm_sources(emulator, hubspot={"enabled": True})[0]
    expected = expected_ratings(warehouse, "hubspot", "account")

    dry = write_back(warehouse, hubspot, dry_run=True)

    assert dry.pending == len(expected)
    assert [c.crm_object_id for c in dry.sample] == sorted(expected)[: len(dry.sample)]
    assert (dry.written, dry.requests, batch_updates(emulator, "hubspot")) == (0, 0, 0)
    assert warehouse.execute(f"select count(*) from {STATE_TABLE}")[0][0] == 0
    lines = describe(dry, limit=2)
    assert lines[0] == f"hubspot: would write the latest rating of {len(expected)} account(s)"
    first = dry.sample[0]
    assert lines[1].startswith(f"  account {first.crm_object_id} (customer {first.customer_id}): score {first.score}, ")
    assert lines[-1] == f"  ... and {len(expected) - 2} more"


def test_salesforce_contacts_are_written_through_sobject_collections_of_200(emulator, warehouse):
    salesforce = crm_sources(emulator, salesforce={"enabled": True, "object": "contact"})[1]
    expected = expected_ratings(warehouse, "salesforce", "contact")

    result = write_back(warehouse, salesforce, now=WRITTEN_AT)

    assert len(expected) > 200
    assert (result.written, result.requests, result.failures) == (len(expected), -(-len(expected) // 200), [])
    query = "SELECT Id, NPS_Last_Score__c, NPS_Last_Category__c, NPS_Last_Responded_At__c FROM Contact"
    records = requests.get(
        f"{emulator.vendor_url('salesforce')}/services/data/v60.0/query", params={"q": query}, headers=BEARER, timeout=5
    ).json()["records"]
    read_back = {r["Id"]: (r["NPS_Last_Score__c"], r["NPS_Last_Category__c"], r["NPS_Last_Responded_At__c"]) for r in records}
    assert {k: (str(v[0]), v[1], v[2]) for k, v in read_back.items() if k in expected} == expected


def test_a_transient_failure_is_retried_and_a_refused_batch_stays_pending_for_the_next_run(emulator, warehouse):
    hubspot = crm_sources(emulator, hubspot={"enabled": True})[0]
    total = len(expected_ratings(warehouse, "hubspot", "account"))
    emulator.fail_next("hubspot", 503, count=1, path_contains="/batch/update")  # retried by the HTTP layer
    emulator.fail_next("hubspot", 400, count=1, skip=1, path_contains="/batch/update")  # then the 2nd batch is refused

    partial = write_back(warehouse, hubspot, now=WRITTEN_AT)
    rest = write_back(warehouse, hubspot, now=WRITTEN_AT)

    assert partial.written == total - 100
    assert len(partial.failures) == 100
    assert (rest.written, rest.requests, rest.failures) == (100, 1, [])
    assert warehouse.execute(f"select count(*) from {STATE_TABLE}")[0][0] == total



def test_a_crm_down_through_every_retry_stops_the_write_back_and_everything_stays_pending(emulator, warehouse):
    hubspot = crm_sources(emulator, hubspot={"enabled": True})[0]
    total = len(expected_ratings(warehouse, "hubspot", "account"))
    assert total > 100  # more than one batch
    emulator.fail_next("hubspot", 503, count=1000, path_contains="/batch/update")

    down = write_back(warehouse, hubspot, now=WRITTEN_AT)

    attempts = hubspot.http.max_attempts
    assert (down.written, down.requests, batch_updates(emulator, "hubspot")) == (0, 1, attempts)
    assert len(down.failures) == 100  # the batch that was tried; the rest was not read
    assert down.stopped == "hubspot unavailable, the rest not sent"
    emulator.clear_failures()
    back = write_back(warehouse, hubspot, now=WRITTEN_AT)
    assert (back.written, back.failures) == (total, [])


def test_pending_objects_are_read_a_page_at_a_time_and_each_is_written_once(emulator, warehouse, monkeypatch):
    """Paging by id: each page read holds at most PAGE_SIZE objects, none is sent twice or skipped,
    and a refused batch in the middle stays pending without stopping the pages after it."""
    hubspot = crm_sources(emulator, hubspot={"enabled": True})[0]
    expected = expected_ratings(warehouse, "hubspot", "account")
    assert len(expected) > 250  # several pages
    monkeypatch.setattr("reporting.crm_writeback.PAGE_SIZE", 100)
    read = []
    original = crm_writeback_module.pending_pages

    def pending_pages(*args):
        for page in original(*args):
            read.append(len(page))
            yield page

    monkeypatch.setattr(crm_writeback_module, "pending_pages", pending_pages)
    emulator.fail_next("hubspot", 400, count=1, skip=1, path_contains="/batch/update")  # the 2nd batch is refused

    result = write_back(warehouse, hubspot, now=WRITTEN_AT)

    assert max(read) == 100 and sum(read) == len(expected)
    assert (result.pending, result.written, len(result.failures)) == (len(expected), len(expected) - 100, 100)
    written = warehouse.execute(f"select crm_object_id from {STATE_TABLE}")
    assert sorted(r[0] for r in written) == sorted(expected)[:100] + sorted(expected)[200:]
    rest = write_back(warehouse, hubspot, now=WRITTEN_AT)
    assert (rest.pending, rest.written, rest.failures) == (100, 100, [])


@pytest.fixture
def config_file(built, emulator, tmp_path):
    """nps.yaml with a copy of the built warehouse and the emulated HubSpot, write-back on."""
    shutil.copy(built.warehouse, tmp_path / "warehouse.duckdb")
    hubspot = {"name": "hubspot", "type": "hubspot", "base_url": emulator.vendor_url("hubspot"), "access_token": "demo-token", "writeback": {"enabled": True}}  # fmt: skip
    path = tmp_path / "nps.yaml"
    path.write_text(yaml.safe_dump({"warehouse": {"type": "duckdb", "path": "warehouse.duckdb"}, "sources": [hubspot]}))
    return path


def test_the_asset_fails_naming_the_outage_when_the_crm_is_down(config_file, emulator):
    config = yaml.safe_load(config_file.read_text())
    config["sources"][0]["http"] = FAST_HTTP
    config_file.write_text(yaml.safe_dump(config))
    emulator.fail_next("hubspot", 503, count=1000, path_contains="/batch/update")

    result = dg.materialize([crm_writeback], resources={"nps": NpsSettings(config_path=str(config_file))}, raise_on_error=False)

    failure = next(event for event in result.all_events if event.is_step_failure)
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith("CRM write-back: 100 object(s) not updated (they stay pending); first: hubspot: ")
    assert description.endswith("; hubspot: stopped, hubspot unavailable, the rest not sent")


def test_nps_writeback_dry_run_prints_the_changes_and_the_asset_then_writes_them(config_file, emulator):
    dry = CliRunner().invoke(main, ["writeback", "--config", str(config_file), "--dry-run"])
    with open_warehouse(config_file.parent / "warehouse.duckdb") as warehouse:
        pending = len(expected_ratings(warehouse, "hubspot", "account"))

    materialized = dg.materialize([crm_writeback], resources={"nps": NpsSettings(config_path=str(config_file))})
    again = CliRunner().invoke(main, ["writeback", "--config", str(config_file)])

    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[0] == f"hubspot: would write the latest rating of {pending} account(s)"
    assert materialized.success
    metadata = materialized.asset_materializations_for_node("crm_writeback")[0].metadata
    assert metadata["written"].value == {"hubspot": pending}
    assert (again.exit_code, again.output) == (0, "hubspot: wrote the latest rating of 0 account(s)\n")


def test_write_back_before_the_models_were_built_names_what_is_missing(emulator, tmp_path):
    hubspot = crm_sources(emulator, hubspot={"enabled": True})[0]
    with open_warehouse(tmp_path / "empty.duckdb") as empty, pytest.raises(LookupError) as missing:
        write_back(empty, hubspot)
    assert str(missing.value) == (
        "write-back: expected the dbt model marts.crm_writeback_ratings in the warehouse, found none; "
        "run `nps refresh` first"
    )
