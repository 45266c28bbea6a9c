"""customer_value_cohorts built incrementally as the history of value_fixture.py arrives in three
loads - within a quarter (the rows' outcome windows move, the quarters stay), then across quarter
starts - with CRM changes no rating shows (a customer's product, a won deal moved to another
customer, one no longer won, the counted copy of a deal both CRMs hold no longer won) gives after
each load exactly what a full build of the same raw data gives."""
from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.attribution import value_fixture as fixture
from tests.attribution.test_value_cohorts_dbt import BUILD, VARS
from tests.dbt.test_duckdb_incremental import _rows
from tests.dbt.warehouses import duckdb_environment, load_duckdb, read_duckdb, run_dbt

pytestmark = pytest.mark.slow

FIRST_CUT, SECOND_CUT = datetime(2025, 8, 20, tzinfo=UTC), datetime(2025, 9, 10, tzinfo=UTC)
RELATIONS = [
    "intermediate.int_customer_won_deals",
    "intermediate.int_customer_quarters", "intermediate.int_value_observation_window", "customers.customers"]
COHORTS = "customers.customer_value_cohorts"


def _moment(value: Any) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC) if type(value) is date else value


def _landed(record: dict[str, Any], source: str, at: datetime) -> dict[str, Any]:
    return {**record, "payload": None, "_source": source, "_modified_at": at, "_loaded_at": at, "_batch_id": str(at)}


def _load(since: datetime | None, until: datetime | None, at: datetime) -> dict[str, list[dict[str, Any]]]:
    """The deals and responses of [since, until), landed at `at`; the CRM accounts with the first load."""
    def inside(moment: Any) -> bool:
        moment = _moment(moment)
        return (since is None or moment >= since) and (until is None or moment < until)

    tables = {
        "hubspot__deals": [_landed(d, "hubspot", at) for d in fixture.DEALS if inside(d["closedate"])],
        "salesforce__opportunities": [_landed(o, "salesforce", at) for o in fixture.OPPORTUNITIES if inside(o["closedate"])],
        "csv__responses": [_landed(r, "exports", at) for r in fixture.RESPONSES if inside(r["responded_at"])],
    }
    if since is None:
        tables["hubspot__companies"] = [_landed(c, "hubspot", at) for c in fixture.COMPANIES]
        tables["hubspot__contacts"] = [_landed(c, "hubspot", at) for c in fixture.CONTACTS]
        tables["salesforce__accounts"] = [_landed(a, "salesforce", at) for a in fixture.SALESFORCE_ACCOUNTS]
    return tables


def _change_crm(warehouse: Path, at: datetime) -> None:
    """C002 moves to another product, C001's won deal d04 turns out to be C003's (C001 itself
    changes in nothing landed) and d07 lost: newer versions replace the landed ones, as
    ingestion/landing.py does. C002's Salesforce copy of d11 (the copy that counts, closed earlier
    the same day) is lost too: the HubSpot copy counts from then on."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update raw.salesforce__accounts set product = 'tv', systemmodstamp = ?, _modified_at = ?, _loaded_at = ? "
            "where id = '001A'",
            [datetime(2026, 2, 2, tzinfo=UTC), at, at],  # still newer than the HubSpot company
        )
        connection.execute(
            "update raw.hubspot__deals set company_id = 'hs-3', hs_lastmodifieddate = ?, _modified_at = ?, _loaded_at = ? "
            "where id = 'd04'",
            [at, at, at],
        )
        connection.execute(
            "update raw.hubspot__deals set dealstage = 'closedlost', hs_is_closed_won = false, "
            "hs_lastmodifieddate = ?, _modified_at = ?, _loaded_at = ? where id = 'd07'",
            [at, at, at],
        )
        connection.execute(
            "update raw.salesforce__opportunities set stagename = 'Closed Lost', iswon = false, systemmodstamp = ?, "
            "_modified_at = ?, _loaded_at = ? where id = '006A'",
            [at, at, at],
        )


def _build(warehouse: Path, target: Path, *options: str) -> None:
    run_dbt([*BUILD, *options], duckdb_environment(warehouse), target)


def _assert_equals_a_full_build(warehouse: Path, tmp_path: Path, name: str) -> None:
    full = tmp_path / f"{name}.duckdb"
    shutil.copyfile(warehouse, full)
    _build(full, tmp_path / "full_target", "--full-refresh")
    for relation in [*RELATIONS, COHORTS]:
        assert _rows(warehouse, relation) == _rows(full, relation), (name, relation)


def test_incremental_cohorts_after_each_load_equal_a_full_build(tmp_path):
    warehouse, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    load_duckdb(warehouse, _load(None, FIRST_CUT, FIRST_CUT))
    _build(warehouse, target)
    quarters = f"select max(quarter_start_date) as last from {COHORTS}"
    assert read_duckdb(warehouse, quarters) == [{"last": date(2025, 7, 1)}]

    # Within the quarter: r05 identifies C003 for the first time; the window's end moves.
    second = datetime(2025, 9, 11, tzinfo=UTC)
    load_duckdb(warehouse, _load(FIRST_CUT, SECOND_CUT, second))
    _change_crm(warehouse, second)
    _build(warehouse, target)
    assert read_duckdb(warehouse, quarters) == [{"last": date(2025, 7, 1)}]
    product = f"select distinct product from {COHORTS} where customer_id = 'C002'"
    assert read_duckdb(warehouse, product) == [{"product": "tv"}]
    copies = "select crm_deal_id, is_counted from intermediate.int_customer_won_deals where customer_id = 'C002' and closed_date = '2025-04-02'"
    assert read_duckdb(warehouse, copies) == [{"crm_deal_id": "d11", "is_counted": True}]
    _assert_equals_a_full_build(warehouse, tmp_path, "second")

    # The rest: three more quarters begin.
    load_duckdb(warehouse, _load(SECOND_CUT, None, datetime(2026, 4, 3, tzinfo=UTC)))
    _build(warehouse, target)
    assert read_duckdb(warehouse, quarters) == [{"last": date(2026, 4, 1)}]
    _assert_equals_a_full_build(warehouse, tmp_path, "third")
