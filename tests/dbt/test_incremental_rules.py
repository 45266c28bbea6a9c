"""The incremental rules of the customer-keyed models, each exercised by a change the nightly path
alone would not show: CRM data that changes without a new rating (a customer churns), a rating that
moves to another customer, a CRM activity moved to another customer's account, and a follow-up that
becomes overdue only because time passed. After those changes an incremental build must give every
model (and the follow-up work list, a view) exactly what a full rebuild of the same raw data gives."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.dbt.raw_fixture import raw_records
from tests.dbt.test_duckdb_incremental import MODELS_ONLY, _rows, _tables
from tests.dbt.warehouses import DBT_VARS, duckdb_environment, load_duckdb, read_duckdb, run_dbt

pytestmark = pytest.mark.slow

FIRST_LOAD = datetime(2026, 5, 12, tzinfo=UTC)
CHANGES_LOAD = datetime(2026, 5, 13, tzinfo=UTC)
# A detractor answered shortly before the first build: open then, overdue at the second build.
RECENT_DETRACTOR = {
    "response_id": "r20", "responded_at": datetime(2026, 5, 11, 12, tzinfo=UTC), "score": 2, "comment": None,
    "customer_id": "C004", "customer_email": None, "product": "internet", "process": "billing",
    "employee_id": "E02", "survey_type": "transactional", "channel": "email", "language": "nl", "attributes": None,
}  # fmt: skip
# Logged on C001's company after C001's detractors (r04, q02); later moved to C003's company.
TASK = {
    "id": "t-1", "company_id": "hs-1", "hs_task_subject": "Call back", "hs_task_status": "COMPLETED",
    "hs_timestamp": datetime(2026, 4, 18, tzinfo=UTC), "hs_task_completion_date": datetime(2026, 4, 18, 9, tzinfo=UTC),
    "createdate": datetime(2026, 4, 17, 9, tzinfo=UTC), "hs_lastmodifieddate": datetime(2026, 4, 18, 9, tzinfo=UTC),
}  # fmt: skip
# A second contact with Ann's address, on C004's account and updated later: the address now
# identifies C004, so Ann's e-mail-only response r05 moves from C001 to C004 once it is conformed again.
SHARED_ADDRESS_CONTACT = {
    "id": "003Y", "accountid": "001B", "email": "ann@example.com", "firstname": "Ann", "lastname": "Globex",
    "phone": None, "createddate": datetime(2026, 5, 12, tzinfo=UTC), "systemmodstamp": datetime(2026, 5, 12, tzinfo=UTC),
}  # fmt: skip


def _landed(record: dict, source: str, at: datetime, batch: str) -> dict:
    return {**record, "payload": None, "_source": source, "_modified_at": at, "_loaded_at": at, "_batch_id": batch}


def _vars(as_of: str) -> str:
    return json.dumps({**json.loads(DBT_VARS), "follow_up_as_of": as_of})


def _first_load() -> dict[str, list[dict]]:
    tables = raw_records({1, 2})
    tables["csv__responses"].append(_landed(RECENT_DETRACTOR, "exports", FIRST_LOAD, "load-3"))
    tables["hubspot__tasks"] = [_landed(TASK, "hubspot", FIRST_LOAD, "load-3")]
    return tables


def _land_changes(warehouse: Path) -> None:
    """Newer versions replace the landed ones, as ingestion/landing.py does."""
    import duckdb

    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("set timezone = 'UTC'")
        # C002 churns: only its CRM record changes (the newer Salesforce account wins).
        connection.execute(
            "update raw.salesforce__accounts set churned_at = ?, systemmodstamp = ?, _modified_at = ?, _loaded_at = ? "
            "where id = '001A'",
            [datetime(2026, 5, 12, tzinfo=UTC), CHANGES_LOAD, CHANGES_LOAD, CHANGES_LOAD],
        )
        # The task moves to C003's company: C001 loses it without any change of its own.
        connection.execute(
            "update raw.hubspot__tasks set company_id = 'hs-3', hs_lastmodifieddate = ?, _modified_at = ?, "
            "_loaded_at = ? where id = 't-1'",
            [CHANGES_LOAD, CHANGES_LOAD, CHANGES_LOAD],
        )
        # r05 delivered again (a newer copy): conformed again, it now resolves to C004.
        connection.execute(
            "update raw.csv__responses set _modified_at = ?, _loaded_at = ? where response_id = 'r05'",
            [CHANGES_LOAD, CHANGES_LOAD],
        )
    load_duckdb(warehouse, {"salesforce__contacts": [_landed(SHARED_ADDRESS_CONTACT, "salesforce", CHANGES_LOAD, "load-4")]})


def _relation_rows(warehouse: Path) -> dict[str, list[tuple]]:
    relations = [*_tables(warehouse), "marts.detractor_follow_up"]
    return {relation: _rows(warehouse, relation) for relation in relations}


def test_an_incremental_build_after_crm_changes_moves_and_time_equals_a_full_build(tmp_path):
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    load_duckdb(incremental, _first_load())
    run_dbt(["build", "--vars", _vars("2026-05-12T00:00:00+00:00"), *MODELS_ONLY], duckdb_environment(incremental), tmp_path / "t1")
    status = "select follow_up_status from marts.detractor_follow_up where response_id = md5('exports:r20')"
    assert read_duckdb(incremental, status) == [{"follow_up_status": "open"}]
    assert read_duckdb(incremental, "select ratings from customers.customers where customer_id = 'C001'") == [{"ratings": 4}]

    _land_changes(incremental)
    later = _vars("2026-05-14T00:00:00+00:00")
    run_dbt(["build", "--vars", later], duckdb_environment(incremental), tmp_path / "t1")
    shutil.copyfile(incremental, full)
    run_dbt(["build", "--vars", later, "--full-refresh", *MODELS_ONLY], duckdb_environment(full), tmp_path / "t2")

    # Each change reached the models (else the comparison below would prove little).
    assert read_duckdb(incremental, status) == [{"follow_up_status": "overdue"}]
    customers = "select customer_id, ratings, is_active from customers.customers order by customer_id"
    assert [tuple(row.values()) for row in read_duckdb(full, customers)] == [
        ("C001", 3, True), ("C002", 3, False), ("C003", 0, False), ("C004", 6, True),
    ]
    moved_task = (
        "select sum(activities_logged) as logged from marts.detractor_follow_up where customer_id = 'C001'"
    )
    assert read_duckdb(full, moved_task) == [{"logged": 0}]

    incremental_rows, full_rows = _relation_rows(incremental), _relation_rows(full)
    assert sorted(incremental_rows) == sorted(full_rows)
    differing = [relation for relation in full_rows if incremental_rows[relation] != full_rows[relation]]
    assert differing == []
