"""`nps forget-customer`: a person is erased from landed data and from every model and report built
on it; the audit entry holds no personal data."""
import duckdb
import pytest
from click.testing import CliRunner

from ingestion.erasure import forget_customer
from ingestion.warehouse import DuckDBWarehouse
from orchestration.cli import main
from orchestration.refresh import run_refresh
from tests.conftest import write_config, write_csv

ROWS = [
    "k1,2026-01-05T09:00:00Z,10,Top,C1,,a,billing,E1,transactional,email,en",
    "k2,2026-01-05T10:00:00Z,2,Slecht,C1,,a,billing,E1,transactional,email,nl",
    "k3,2026-01-06T11:00:00Z,9,,,Kim@Example.com ,a,billing,E1,transactional,email,en",
    "k4,2026-01-06T12:00:00Z,8,,C12,,a,billing,E1,transactional,email,en",
    "k5,2026-01-07T13:00:00Z,6,,C2,,a,billing,E1,transactional,email,en",
    "k6,2026-01-07T14:00:00Z,11,,C1,,a,billing,E1,transactional,email,en",
]


def query(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
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
    deleted = forget_customer(warehouse, "C1", ["kim@example.com"])
    warehouse.close()

    assert (deleted["csv__responses"], deleted["quarantine"]) == (3, 1)
    assert query(warehouse_path, "select response_id from raw.csv__responses order by 1") == [("k4",), ("k5",)]
    [(pseudonym, rows)] = query(warehouse_path, "select subject_pseudonym, rows_deleted from raw.erasure_log")
    assert len(pseudonym) == 64 and "C1" not in pseudonym and '"csv__responses": 3' in rows
    assert "kim" not in rows.lower()


@pytest.mark.slow
def test_forget_customer_rebuilds_the_customer_database_and_reporting_without_them(tmp_path):
    write_csv(tmp_path / "exports" / "jan.csv", ROWS)
    path = write_config(tmp_path, {
                                   "sources": [{"name": "exports", "type": "csv", "path": "exports/*.csv"}]})
    assert run_refresh(path).success
    reporting = tmp_path / "data" / "reporting.duckdb"
    monthly = "select responses from nps_overall where period_grain = 'month'"
    assert query(reporting, monthly) == [(5,)]

    result = CliRunner().invoke(main, ["forget-customer", "C1", "--email", "kim@example.com", "--config", str(path)])

    assert result.exit_code == 0, result.output
    assert "C1" not in result.output and "kim" not in result.output.lower()
    assert query(reporting, monthly) == [(2,)]
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    assert query(warehouse, "select count(*) from intermediate.int_responses_conformed") == [(2,)]
    assert query(warehouse, "select count(*) from customers.customer_ratings") == [(2,)]
