"""The dbt project built for real on DuckDB from the raw fixture (both loads at once, a full build):
the models and tests pass and the marts equal what the Python reference computes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.dbt import assertions
from tests.dbt.raw_fixture import raw_records
from tests.dbt.warehouses import DBT_VARS, duckdb_environment, load_duckdb, read_duckdb, run_dbt

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(warehouse, dbt target path) after `dbt build` of both loads."""
    folder = tmp_path_factory.mktemp("duckdb_build")
    warehouse, target = folder / "warehouse.duckdb", folder / "target"
    load_duckdb(warehouse, raw_records({1, 2}))
    run_dbt(["build", "--vars", DBT_VARS], duckdb_environment(warehouse), target)
    return warehouse, target


def _reader(warehouse: Path) -> assertions.Read:
    return lambda sql: read_duckdb(warehouse, sql)


def test_responses_are_deduplicated_and_resolved_to_crm_customers(built):
    assertions.assert_conformed_responses(_reader(built[0]))


def test_nps_marts_equal_the_python_reference(built):
    assertions.assert_marts_match_expected(_reader(built[0]))


def test_headline_numbers(built):
    assertions.assert_headline_numbers(_reader(built[0]))


def test_customer_database(built):
    assertions.assert_customer_database(_reader(built[0]))


def test_docs_generate_and_every_model_and_column_is_described(built):
    warehouse, target = built
    run_dbt(["docs", "generate", "--vars", DBT_VARS], duckdb_environment(warehouse), target)
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    undescribed = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed"):
            continue
        if not node["description"].strip():
            undescribed.append(node["name"])
        described = {name for name, column in node["columns"].items() if column["description"].strip()}
        built_columns = catalog["nodes"][unique_id]["columns"]
        undescribed += [f"{node['name']}.{column}" for column in built_columns if column not in described]
    assert undescribed == []


def test_an_incremental_run_in_another_timezone_stops_and_asks_for_a_full_refresh(built, tmp_path):
    warehouse, _ = built
    other_timezone = json.dumps({"reporting_timezone": "UTC", "min_responses": 3})
    with pytest.raises(AssertionError) as failure:
        run_dbt(
            ["run", "--select", "int_responses_conformed", "--vars", other_timezone],
            duckdb_environment(warehouse), tmp_path,
        )  # fmt: skip
    assert "built with reporting timezone Europe/Amsterdam, this run has UTC" in str(failure.value)
    assert "--full-refresh" in str(failure.value)


def test_an_incremental_run_with_other_follow_up_settings_stops_and_asks_for_a_full_refresh(built, tmp_path):
    warehouse, _ = built
    longer_sla = json.dumps({**json.loads(DBT_VARS), "follow_up_sla_hours": {"transactional": 72, "relational": 48}})
    with pytest.raises(AssertionError) as failure:
        run_dbt(["run", "--select", "int_follow_ups", "--vars", longer_sla], duckdb_environment(warehouse), tmp_path)
    assert '"transactional": 72' in str(failure.value) and "--full-refresh" in str(failure.value)
