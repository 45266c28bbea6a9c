"""A raw-landing warehouse on DuckDB and on PostgreSQL, with every connector's raw tables."""
import pytest

from ingestion.ingest import all_raw_tables
from ingestion.landing import ensure_raw_tables
from ingestion.warehouse import DuckDBWarehouse, PostgresWarehouse


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request, tmp_path):
    if request.param == "duckdb":
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    else:
        warehouse = PostgresWarehouse(request.getfixturevalue("postgres_database"))
    ensure_raw_tables(warehouse, all_raw_tables())
    yield warehouse
    warehouse.close()
