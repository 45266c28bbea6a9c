"""`nps forget-customer`: a person is erased from landed data and from every model and report built
on it, stays erased when the sources serve them again, and the audit entry holds no personal data."""
import json
import re
from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from ingestion.emulators import demo_sources
from ingestion.erasure import forget_customer
from ingestion.warehouse import DuckDBWarehouse
from orchestration.cli import main
from orchestration.refresh import run_refresh
from tests.conftest import write_config, write_csv
from tests.connectors.emulated import FAST_HTTP, emulator, world_dir  # noqa: F401 (fixtures)

ROWS = [
    "k1,2026-01-05T09:00:00Z,10,Top,C1,,a,billing,E1,transactional,email,en",
    "k2,2026-01-05T10:00:00Z,2,Slecht,C1,,a,billing,E1,transactional,email,nl",
    "k3,2026-01-06T11:00:00Z,9,,,Kim@Example.com ,a,billing,E1,transactional,email,en",
    "k4,2026-01-06T12:00:00Z,8,,C12,,a,billing,E1,transactional,email,en",
    "k5,2026-01-07T13:00:00Z,6,,C2,,a,billing,E1,transactional,email,en",
    "k6,2026-01-07T14:00:00Z,11,,C1,,a,billing,E1,transactional,email,en",
]


def query(path, sql: str, params: list = ()) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_erasure_deletes_by_customer_id_and_address_and_keeps_look_alikes(tmp_path, monkeypatch):
    monkeypatch.setenv("NPS_PSEUDONYM_KEY", "k-e-y")
    warehouse_path = tmp_path / "warehouse.duckdb"
    config = write_config(tmp_path, {"warehouse": {"type": "duckdb", "path": str(warehouse_path)},
                                     "sources": [{"name": "exports", "type": "csv", "path": "x/*.csv"}]})
    export = write_csv(tmp_path / "x" / "jan.csv", ROWS)
    from orchestration.config import load_config
    from orchestration.imports import import_csv_files
    import_csv_files(load_config(config), "exports", [export])

    warehouse = DuckDBWarehouse(warehouse_path)
    warehouse.execute("create schema publish")  # the keyed hashes a publish stores (reporting/publish.py)
    warehouse.execute("create table publish.pseudonyms as select * from (values ('C1', 'h1'), ('C12', 'h12')) v(value, pseudonym)")
    deleted = forget_customer(warehouse, "C1", ["kim@example.com"]).deleted
    warehouse.close()

    assert (deleted["csv__responses"], deleted["quarantine"], deleted["pseudonyms"]) == (3, 1, 1)
    assert query(warehouse_path, "select value from publish.pseudonyms") == [("C12",)]
    assert query(warehouse_path, "select response_id from raw.csv__responses order by 1") == [("k4",), ("k5",)]
    [(pseudonym, rows)] = query(warehouse_path, "select subject_pseudonym, rows_deleted from raw.erasure_log")
    assert len(pseudonym) == 64 and "C1" not in pseudonym and '"csv__responses": 3' in rows
    assert "kim" not in rows.lower()


API_TOOLS = ("qualtrics", "surveymonkey", "typeform", "delighted")
MARTS = ("nps_overall", "nps_by_product", "nps_by_process")


def emulated_sources(server) -> list[dict]:
    """Every survey tool and both CRMs, served by the emulator."""
    salesforce = {"name": "salesforce", "type": "salesforce", "base_url": f"{server.base_url}/salesforce",
                  "access_token": "demo-token"}  # fmt: skip
    sources = []
    for entry in [*demo_sources(server.base_url), salesforce]:
        entry = {k: v for k, v in entry.items() if k != "writeback"} | {"http": FAST_HTTP}
        sources.append(entry | ({"poll_seconds": 0} if entry["type"] == "qualtrics" else {}))
    return sources


def person_to_erase(world) -> tuple[str, list[str]]:
    """The consumer with the most responses through the survey tools' APIs, and their addresses."""
    responses = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((world / "responses").glob("*.csv")))
    customers = pd.read_csv(world / "crm" / "customers.csv", dtype=str, keep_default_na=False)
    contacts = pd.read_csv(world / "crm" / "contacts.csv", dtype=str, keep_default_na=False)
    consumers = set(customers.loc[customers["customer_type"] == "consumer", "customer_id"])
    served = responses[responses["survey_tool"].isin(API_TOOLS) & responses["customer_id"].isin(consumers)]
    counts = served.groupby("customer_id").size()
    customer_id = sorted(counts[counts == counts.max()].index)[0]
    addresses = [*contacts.loc[contacts["customer_id"] == customer_id, "email"],
                 *customers.loc[customers["customer_id"] == customer_id, "email"]]  # fmt: skip
    return customer_id, sorted({address.lower() for address in addresses if address})


def mentions(path, pattern: str) -> dict[str, int]:
    """Per table of a DuckDB file, the rows whose text matches `pattern` (case-insensitive)."""
    tables = query(path, "select table_schema, table_name from information_schema.tables "
                         "where table_schema <> 'information_schema'")  # fmt: skip
    matching = "select count(*) from {} as t where regexp_matches(cast(t as varchar), ?)"
    found = {f"{schema}.{name}": query(path, matching.format(f'"{schema}"."{name}"'), ["(?i)" + pattern])[0][0]
             for schema, name in tables}  # fmt: skip
    return {table: n for table, n in found.items() if n}


def marts(path) -> dict[str, list[tuple]]:
    """Each mart's rows, without built_at (when the dbt run that wrote a row started)."""
    return {name: sorted(query(path, f"select * exclude (built_at) from {name}"), key=repr) for name in MARTS}


def materializations(run_id: str) -> dict[str, dict]:
    """The metadata of each asset the run materialized, by asset key."""
    return {
        record.dagster_event.asset_key.to_user_string(): {
            name: entry.value for name, entry in record.dagster_event.event_specific_data.materialization.metadata.items()
        }
        for record in dg.DagsterInstance.get().all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    }


@pytest.mark.slow
def test_an_erased_customer_stays_erased_when_a_full_refresh_pulls_them_again(tmp_path, world_dir, emulator, monkeypatch):
    monkeypatch.delenv("NPS_PSEUDONYM_KEY", raising=False)  # the installation's key file serves
    path = write_config(tmp_path, {
        "sources": emulated_sources(emulator), "retention": {"raw_payload_days": 30},
    })  # fmt: skip
    warehouse, reporting = tmp_path / "data" / "warehouse.duckdb", tmp_path / "data" / "reporting.duckdb"
    customer_id, addresses = person_to_erase(world_dir)
    assert run_refresh(path).success
    account_ids = [row[0] for row in query(warehouse,
        "select id from raw.hubspot__companies where customer_id = ? union all "
        "select id from raw.salesforce__accounts where customer_number = ?", [customer_id, customer_id])]  # fmt: skip
    person = "|".join([rf"\b{customer_id}\b", *(rf"\b{i}\b" for i in account_ids), *map(re.escape, addresses)])
    assert len(account_ids) == 2 and {
        "raw.hubspot__contacts", "customers.customer_ratings", "publish.pseudonyms"
    } <= set(mentions(warehouse, person))  # fmt: skip

    erased = CliRunner().invoke(main, ["forget-customer", customer_id, "--config", str(path)])

    assert erased.exit_code == 0, erased.output
    assert customer_id not in erased.output and not any(address in erased.output for address in addresses)
    assert "identifiers added to the erased-identifier list" in erased.output
    rebuilt = marts(reporting)
    # These tables' records landed long ago, as far as retention can tell: their payloads are purged.
    old = ["raw.hubspot__companies", "raw.qualtrics__responses"]
    con = duckdb.connect(str(warehouse))
    for table in old:
        con.execute(f"update {table} set _loaded_at = ?", [datetime.now(UTC) - timedelta(days=31)])
    con.close()
    purged = CliRunner().invoke(main, ["purge", "--config", str(path)])
    assert purged.exit_code == 0 and "qualtrics__responses" in purged.output, purged.output

    outcome = run_refresh(path, full_refresh=True)

    assert outcome.success, (outcome.failed_steps, outcome.failed_checks)
    for database in sorted((tmp_path / "data").glob("*.duckdb")):  # warehouse and reporting databases
        assert mentions(database, person) == {}, database
    [(audit,)] = query(warehouse, "select rows_deleted from raw.erasure_log")
    metadata = materializations(outcome.run_id)
    suppressed = {
        key.removeprefix("raw/").replace("/", "__"): values["suppressed"]
        for key, values in metadata.items()
        if key.startswith("raw/") and values["suppressed"]
    }
    # What the erasure deleted, the sources served again, and landing dropped and counted.
    assert suppressed == {table: n for table, n in json.loads(audit).items() if n and "__" in table}
    for table in old:  # the same versions pulled again did not bring the payloads back
        assert query(warehouse, f"select count(*) filter (where payload is not null), count(*) > 0 from {table}") == [(0, True)]
    assert metadata["raw_retention"]["payloads_purged"] == 0  # purging again changes nothing
    assert marts(reporting) == rebuilt
