"""The whole refresh with PostgreSQL as the warehouse: landing, dbt (postgres target), the quality
gate and the reporting schema swap, against a real server."""
import psycopg2
import pytest

from orchestration.refresh import run_refresh
from tests.conftest import write_config, write_csv
from tests.privacy.personal_data import found, postgres_text_values

# 2026-01-05 is a Monday. Product a: 3 promoters, 1 passive, 1 detractor (NPS 40); b: 2 detractors.
ROWS = [
    "p1,2026-01-05T09:00:00Z,10,,C00000042,ann.devries@example.com,a,support_call,E1,transactional,email,en",
    "p2,2026-01-05T10:00:00Z,9,,C00000043,,a,support_call,E1,transactional,email,en",
    "p3,2026-01-06T11:00:00Z,9,,,,a,billing,E2,transactional,email,en",
    "p4,2026-01-06T12:00:00Z,7,,,,a,billing,E2,transactional,email,en",
    "p5,2026-01-07T13:00:00Z,3,,,,a,billing,E2,transactional,email,en",
    "p6,2026-01-07T14:00:00Z,0,,,,b,billing,E2,transactional,email,nl",
    "p7,2026-01-08T15:00:00Z,5,,,,b,billing,E2,transactional,email,nl",
]


@pytest.mark.postgres
@pytest.mark.slow
def test_a_refresh_on_postgresql_publishes_the_reporting_schema(tmp_path, postgres_database):
    dbname = postgres_database.split("dbname=")[1]
    write_csv(tmp_path / "exports" / "january.csv", ROWS)
    path = write_config(
        tmp_path,
        {
            "warehouse": {"type": "postgres", "host": "127.0.0.1", "port": 5432, "dbname": dbname, "user": "postgres"},
            "reporting": {"timezone": "Europe/Amsterdam", "min_responses": 2},
            "sources": [{"name": "exports", "type": "csv", "path": "exports/*.csv"}],
        },
    )

    outcome = run_refresh(path)

    assert outcome.success, (outcome.failed_steps, outcome.failed_checks)
    con = psycopg2.connect(postgres_database)
    with con.cursor() as cursor:
        cursor.execute(
            "select product, responses, promoters, passives, detractors, nps from reporting.nps_by_product"
            " where period_grain = 'month' order by product"
        )
        by_product = cursor.fetchall()
        cursor.execute("select count(*) from raw.csv__responses")
        landed = cursor.fetchone()[0]
        cursor.execute("select schema_name from information_schema.schemata where schema_name like 'reporting%'")
        schemas = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            "select column_name from information_schema.columns where table_schema = 'reporting'"
            " and table_name = 'customer_scores' and column_name in ('customer_id', 'customer_key')"
        )
        customer_columns = cursor.fetchall()
    con.close()
    assert landed == 7
    assert by_product == [("a", 5, 3, 1, 1, 40.0), ("b", 2, 0, 0, 2, -100.0)]
    assert schemas == ["reporting", "reporting_restricted"]
    assert customer_columns == [("customer_key",)]
    # Employee results in the restricted schema only; no customer number or address in either.
    general = postgres_text_values(postgres_database, "reporting")
    restricted = postgres_text_values(postgres_database, "reporting_restricted")
    assert found(general, {"E1", "E2", "C00000042", "C00000043", "ann.devries@example.com"}) == {}
    assert found(restricted, {"C00000042", "C00000043", "ann.devries@example.com"}) == {}
    assert found(restricted, {"E1", "E2"}) == {"nps_by_employee": {"E1", "E2"}}
    from orchestration.config import load_config
    from orchestration.status import render_status

    status = render_status(path, load_config(path))
    assert "Reporting schema: reporting" in status and "  exports          2026-01-08 15:00 UTC" in status
    assert any(line.startswith("  nps_by_product") and line.endswith(" rows") for line in status.splitlines())
    assert "Reporting schema: reporting_restricted" in status.splitlines()
