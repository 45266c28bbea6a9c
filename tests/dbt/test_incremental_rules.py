"""The incremental rules of the customer- and period-keyed models, each exercised by a change the
nightly path alone would not show: CRM data that changes without a new rating (a customer churns), a
rating that moves to another customer, a CRM activity moved to another customer's account, a
follow-up that becomes overdue only because time passed, comments that change (a period left
without any theme), and an account's customer number corrected (its contacts and a note on it
follow it; a customer whose winning account it was falls back to their other one, with no rating or
CRM change of their own, and comes back as active, which moves the segment weights of past periods). After those changes an incremental build must give every model (and the
follow-up work list, a view) exactly what a full rebuild of the same raw data gives."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.dbt.raw_fixture import raw_records
from tests.dbt.test_duckdb_incremental import MODELS_ONLY, RUN_TIME_COLUMNS, _rows, _tables
from tests.dbt.warehouses import (
    DBT_VARS,
    duckdb_environment,
    load_duckdb,
    load_postgres,
    postgres_environment,
    read_duckdb,
    read_postgres,
    run_dbt,
)

pytestmark = pytest.mark.slow

FIRST_LOAD = datetime(2026, 5, 12, tzinfo=UTC)
CHANGES_LOAD = datetime(2026, 5, 13, tzinfo=UTC)
# A detractor answered shortly before the first build: open then, overdue at the second build.
RECENT_DETRACTOR = {
    "response_id": "r20", "responded_at": datetime(2026, 5, 11, 12, tzinfo=UTC), "score": 2,
    "comment": "Lang in de wacht gestaan",
    "customer_id": "C004", "customer_email": None, "product": "internet", "process": "billing",
    "employee_id": "E02", "survey_type": "transactional", "channel": "email", "language": "nl", "attributes": None,
}  # fmt: skip
# Logged on C001's company after C001's detractors (r04, q02); later moved to C003's company.
TASK = {
    "id": "t-1", "company_id": "hs-1", "hs_task_subject": "Call back", "hs_task_status": "COMPLETED",
    "hs_timestamp": datetime(2026, 4, 18, tzinfo=UTC), "hs_task_completion_date": datetime(2026, 4, 18, 9, tzinfo=UTC),
    "createdate": datetime(2026, 4, 17, 9, tzinfo=UTC), "hs_lastmodifieddate": datetime(2026, 4, 18, 9, tzinfo=UTC),
}  # fmt: skip
# Globex in HubSpot too, modified after its Salesforce account 001B, so it is C004's winning
# account; its customer number is later corrected to C005, which leaves C004 with 001B.
GLOBEX_COMPANY = {
    "id": "hs-4", "customer_id": "C004", "name": "Globex BV", "customer_type": "business", "numberofemployees": 210,
    "product": "internet", "region": "south", "createdate": datetime(2025, 1, 1, tzinfo=UTC), "churned_at": None,
    "hs_lastmodifieddate": datetime(2026, 4, 1, tzinfo=UTC),
}  # fmt: skip
# Cor's older Salesforce account, still active there: once hs-3 becomes C005's, it is C003's only
# account, so C003 comes back as active without a change or a rating of its own.
COR_SALESFORCE_ACCOUNT = {
    "id": "001C", "customer_number": "C003", "name": "C. de Vries", "customer_type": "consumer", "numberofemployees": None,
    "product": "internet", "region": "east", "createddate": datetime(2024, 3, 1, tzinfo=UTC), "churned_at": None,
    "systemmodstamp": datetime(2025, 6, 1, tzinfo=UTC),
}  # fmt: skip
# Logged on C003's company hs-3 and never changed: when hs-3 becomes C005's, so does the note.
NOTE = {
    "id": "n-1", "company_id": "hs-3", "hs_timestamp": datetime(2026, 4, 20, tzinfo=UTC),
    "createdate": datetime(2026, 4, 20, tzinfo=UTC), "hs_lastmodifieddate": datetime(2026, 4, 20, tzinfo=UTC),
}  # fmt: skip
# A second contact with Ann's address, on C004's account and updated later: the address now
# identifies C004, so Ann's e-mail-only response r05 moves from C001 to C004 once it is conformed again.
SHARED_ADDRESS_CONTACT = {
    "id": "003Y", "accountid": "001B", "email": "ann@example.com", "firstname": "Ann", "lastname": "Globex",
    "phone": None, "createddate": datetime(2026, 5, 12, tzinfo=UTC), "systemmodstamp": datetime(2026, 5, 12, tzinfo=UTC),
}  # fmt: skip


def _landed(record: dict, source: str, at: datetime, batch: str) -> dict:
    return {**record, "payload": None, "_source": source, "_modified_at": at, "_loaded_at": at, "_batch_id": batch}


THEMES = "select distinct theme from marts.employee_comment_themes where employee_id = 'E02' order by 1"


def _vars(as_of: str) -> str:
    return json.dumps({**json.loads(DBT_VARS), "follow_up_as_of": as_of})


def _first_load() -> dict[str, list[dict]]:
    tables = raw_records({1, 2})
    tables["csv__responses"].append(_landed(RECENT_DETRACTOR, "exports", FIRST_LOAD, "load-3"))
    tables["hubspot__tasks"] = [_landed(TASK, "hubspot", FIRST_LOAD, "load-3")]
    tables["hubspot__notes"] = [_landed(NOTE, "hubspot", FIRST_LOAD, "load-3")]
    tables["hubspot__companies"].append(_landed(GLOBEX_COMPANY, "hubspot", FIRST_LOAD, "load-3"))
    tables["salesforce__accounts"].append(_landed(COR_SALESFORCE_ACCOUNT, "salesforce", FIRST_LOAD, "load-3"))
    return tables


# Newer versions replace the landed ones, as ingestion/landing.py does.
CHANGES = [
    # C002 churns: only its CRM record changes (the newer Salesforce account wins).
    (
        "update raw.salesforce__accounts set churned_at = ?, systemmodstamp = ?, _modified_at = ?, _loaded_at = ? "
        "where id = '001A'",
        [datetime(2026, 5, 12, tzinfo=UTC), CHANGES_LOAD, CHANGES_LOAD, CHANGES_LOAD],
    ),
    # HubSpot company hs-3's customer number corrected (C003 -> C005): its contact hc-3 (and with it
    # Cor's e-mail address) follows it without a change of its own.
    (
        "update raw.hubspot__companies set customer_id = 'C005', hs_lastmodifieddate = ?, _modified_at = ?, "
        "_loaded_at = ? where id = 'hs-3'",
        [CHANGES_LOAD, CHANGES_LOAD, CHANGES_LOAD],
    ),
    # hs-4 was C004's winning account; its customer number corrected to C005, C004 keeps 001B.
    (
        "update raw.hubspot__companies set customer_id = 'C005', hs_lastmodifieddate = ?, _modified_at = ?, "
        "_loaded_at = ? where id = 'hs-4'",
        [CHANGES_LOAD, CHANGES_LOAD, CHANGES_LOAD],
    ),
    # The task moves to C003's company: C001 loses it without any change of its own.
    (
        "update raw.hubspot__tasks set company_id = 'hs-3', hs_lastmodifieddate = ?, _modified_at = ?, "
        "_loaded_at = ? where id = 't-1'",
        [CHANGES_LOAD, CHANGES_LOAD, CHANGES_LOAD],
    ),
    # r05 delivered again (a newer copy, now with a comment): conformed again, it resolves to C004
    # and adds a theme to E02's April.
    (
        "update raw.csv__responses set comment = 'De factuur klopt niet', _modified_at = ?, _loaded_at = ? "
        "where response_id = 'r05'",
        [CHANGES_LOAD, CHANGES_LOAD],
    ),
    # r20's comment withdrawn: its day, week and month are left without any theme.
    (
        "update raw.csv__responses set comment = null, _modified_at = ?, _loaded_at = ? where response_id = 'r20'",
        [CHANGES_LOAD, CHANGES_LOAD],
    ),
]
NEW_RECORDS = {"salesforce__contacts": [_landed(SHARED_ADDRESS_CONTACT, "salesforce", CHANGES_LOAD, "load-4")]}


def _land_changes(warehouse: Path) -> None:
    import duckdb

    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("set timezone = 'UTC'")
        for sql, parameters in CHANGES:
            connection.execute(sql, parameters)
    load_duckdb(warehouse, NEW_RECORDS)


def _land_changes_postgres(dsn: str) -> None:
    import psycopg2

    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        for sql, parameters in CHANGES:
            cursor.execute(sql.replace("?", "%s"), parameters)
    connection.close()
    load_postgres(dsn, NEW_RECORDS)


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
    assert read_duckdb(incremental, THEMES) == [{"theme": "waiting_time"}]

    _land_changes(incremental)
    later = _vars("2026-05-14T00:00:00+00:00")
    run_dbt(["build", "--vars", later], duckdb_environment(incremental), tmp_path / "t1")
    shutil.copyfile(incremental, full)
    run_dbt(["build", "--vars", later, "--full-refresh", *MODELS_ONLY], duckdb_environment(full), tmp_path / "t2")

    # Each change reached the models (else the comparison below would prove little).
    assert read_duckdb(incremental, status) == [{"follow_up_status": "overdue"}]
    customers = "select customer_id, ratings, is_active from customers.customers order by customer_id"
    assert [tuple(row.values()) for row in read_duckdb(full, customers)] == [
        ("C001", 3, True), ("C002", 3, False), ("C003", 0, True), ("C004", 6, True), ("C005", 0, False),
    ]
    fallback = "select crm_account_id, region, is_active from customers.customers where customer_id = 'C003'"
    assert read_duckdb(incremental, fallback) == [{"crm_account_id": "001C", "region": "east", "is_active": True}]
    moved = "select customer_id, previous_customer_id from customers.customer_ratings where response_id = md5('exports:r05')"
    assert read_duckdb(incremental, moved) == [{"customer_id": "C004", "previous_customer_id": "C001"}]
    contact = "select customer_id from intermediate.int_crm_contacts where crm_contact_id = 'hc-3'"
    assert read_duckdb(incremental, contact) == [{"customer_id": "C005"}]
    winner = "select crm_account_id from intermediate.int_crm_customers where customer_id = 'C004'"
    assert read_duckdb(incremental, winner) == [{"crm_account_id": "001B"}]
    note = "select customer_id from intermediate.int_crm_record_owners where crm_record_id = 'n-1'"
    assert read_duckdb(incremental, note) == [{"customer_id": "C005"}]
    task = "select customer_id, previous_customer_id from intermediate.int_crm_record_owners where crm_record_id = 't-1'"
    assert read_duckdb(incremental, task) == [{"customer_id": "C005", "previous_customer_id": "C001"}]
    assert read_duckdb(incremental, THEMES) == [{"theme": "billing"}]
    moved_task = (
        "select sum(activities_logged) as logged from marts.detractor_follow_up where customer_id = 'C001'"
    )
    assert read_duckdb(full, moved_task) == [{"logged": 0}]

    incremental_rows, full_rows = _relation_rows(incremental), _relation_rows(full)
    assert sorted(incremental_rows) == sorted(full_rows)
    differing = [relation for relation in full_rows if incremental_rows[relation] != full_rows[relation]]
    assert differing == []


def _postgres_rows(dsn: str) -> dict[str, list[tuple]]:
    """Every built table (and the work list), rows sorted, without run-time columns; floats to 9
    decimals (sums may add in another order)."""
    relations = [
        row["relation"]
        for row in read_postgres(
            dsn,
            "select table_schema || '.' || table_name as relation from information_schema.tables "
            "where table_schema not in ('raw', 'reference', 'information_schema', 'pg_catalog') "
            "and table_type = 'BASE TABLE' and table_name <> 'nps_passed_builds' order by 1",
        )
    ]
    rows = {}
    for relation in [*relations, "marts.detractor_follow_up"]:
        records = read_postgres(dsn, f"select * from {relation}")
        rows[relation] = sorted(
            (
                tuple((k, round(v, 9) if isinstance(v, float) else v) for k, v in record.items() if k not in RUN_TIME_COLUMNS)
                for record in records
            ),
            key=repr,
        )
    return rows


@pytest.mark.postgres
def test_the_same_on_postgresql(postgres_database, tmp_path):
    import psycopg2
    from psycopg2.extensions import parse_dsn

    environment = postgres_environment(postgres_database)
    load_postgres(postgres_database, _first_load())
    first = _vars("2026-05-12T00:00:00+00:00")
    run_dbt(["build", "--target", "postgres", "--vars", first, *MODELS_ONLY], environment, tmp_path / "t1")
    _land_changes_postgres(postgres_database)
    later = _vars("2026-05-14T00:00:00+00:00")
    run_dbt(["build", "--target", "postgres", "--vars", later], environment, tmp_path / "t1")

    # The full build runs on a copy of the same raw data (and models, rebuilt from scratch).
    name = parse_dsn(postgres_database)["dbname"]
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    full = f"{name}_full"
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"create database {full} template {name}")
        full_dsn = postgres_database.replace(f"dbname={name}", f"dbname={full}")
        run_dbt(
            ["build", "--target", "postgres", "--vars", later, "--full-refresh", *MODELS_ONLY],
            postgres_environment(full_dsn), tmp_path / "t2",
        )  # fmt: skip
        status = "select follow_up_status from marts.detractor_follow_up where response_id = md5('exports:r20')"
        assert read_postgres(postgres_database, status) == [{"follow_up_status": "overdue"}]
        incremental_rows, full_rows = _postgres_rows(postgres_database), _postgres_rows(full_dsn)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"drop database if exists {full} with (force)")
        admin.close()
    assert sorted(incremental_rows) == sorted(full_rows)
    differing = [relation for relation in full_rows if incremental_rows[relation] != full_rows[relation]]
    assert differing == []
