"""The nightly path on DuckDB: the first load built, the second load landed and built incrementally
(a response re-identified by a late CRM contact, new days) gives every model exactly the rows a full
build of both loads gives."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.dbt.raw_fixture import raw_records
from tests.dbt.warehouses import DBT_VARS, duckdb_environment, load_duckdb, read_duckdb, run_dbt

pytestmark = pytest.mark.slow

# When a row was written, not what it says: the run's clock differs between the two builds.
# Columns that depend on when (and after what) a row was written, which a full rebuild cannot know.
RUN_TIME_COLUMNS = {"conformed_at", "last_conformed_at", "built_at", "previous_customer_id"}
MODELS_ONLY = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
# One clock for the follow-up models (hours open, SLA status) in both builds.
VARS = json.dumps({**json.loads(DBT_VARS), "follow_up_as_of": "2026-05-12T00:00:00+00:00"})


def _tables(warehouse: Path) -> list[str]:
    rows = read_duckdb(
        warehouse,
        "select schema_name || '.' || table_name as relation from duckdb_tables() "
        "where schema_name not in ('raw', 'reference') and table_name <> 'nps_passed_builds' order by 1",
    )
    return [row["relation"] for row in rows]


def _rows(warehouse: Path, relation: str) -> list[tuple]:
    columns = [
        row["column_name"]
        for row in read_duckdb(warehouse, f"select column_name from (describe {relation})")
        if row["column_name"] not in RUN_TIME_COLUMNS
    ]
    rows = read_duckdb(warehouse, f"select {', '.join(columns)} from {relation}")
    return sorted((tuple(row.items()) for row in rows), key=repr)


def test_an_incremental_build_after_new_data_equals_a_full_build(tmp_path):
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    load_duckdb(incremental, raw_records({1}))
    run_dbt(["build", "--vars", VARS, *MODELS_ONLY], duckdb_environment(incremental), tmp_path / "t1")
    load_duckdb(incremental, raw_records({2}))
    run_dbt(["build", "--vars", VARS], duckdb_environment(incremental), tmp_path / "t1")
    load_duckdb(full, raw_records({1, 2}))
    run_dbt(["build", "--vars", VARS, *MODELS_ONLY], duckdb_environment(full), tmp_path / "t2")

    relations = _tables(full)
    assert _tables(incremental) == relations
    assert "marts.comment_theme_mentions" in relations
    differing = [relation for relation in relations if _rows(incremental, relation) != _rows(full, relation)]
    assert differing == []


def _passed_builds(warehouse: Path) -> int:
    return read_duckdb(warehouse, "select count(*) as builds from main.nps_passed_builds")[0]["builds"]


def _build(warehouse: Path, target: Path) -> bool:
    try:
        run_dbt(["build", "--vars", VARS, "--exclude-resource-type", "unit_test"], duckdb_environment(warehouse), target)
    except AssertionError as failure:
        assert "unique_since_passed_build_int_responses_conformed_response_id" in str(failure)
        return False
    return True


def test_tests_on_new_rows_keep_failing_until_a_build_passes(tmp_path):
    import duckdb

    warehouse, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    load_duckdb(warehouse, raw_records({1, 2}))
    assert _build(warehouse, target)
    assert _passed_builds(warehouse) == 1

    # A row written after that build repeats an older row's response_id (under another key): among
    # the new rows alone it is unique, against the whole table it is not.
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "insert into intermediate.int_responses_conformed select * replace "
            "(md5('another key') as response_key, now() as conformed_at) "
            "from intermediate.int_responses_conformed order by response_id limit 1"
        )
    assert not _build(warehouse, target)
    assert not _build(warehouse, target)  # a failed build records nothing: tested again
    assert _passed_builds(warehouse) == 1

    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("delete from intermediate.int_responses_conformed where response_key = md5('another key')")
    assert _build(warehouse, target)
    assert _passed_builds(warehouse) == 2


def test_staging_tests_read_the_records_landed_since_the_last_passing_build(tmp_path):
    """A record landed after a passing build is tested, and a new record repeating an old record's
    key is caught; a bad record landed before that build is left alone until a full refresh, which
    tests every record."""
    import duckdb

    warehouse, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    load_duckdb(warehouse, raw_records({1}))
    run_dbt(["build", "--vars", VARS, "--exclude-resource-type", "unit_test"], duckdb_environment(warehouse), target)

    def build(*extra: str) -> str:
        try:
            run_dbt(["build", "--vars", VARS, "--exclude-resource-type", "unit_test", *extra], duckdb_environment(warehouse), target)
        except AssertionError as failure:
            return str(failure)
        return ""

    repeat_key = "insert into raw.hubspot__companies select * replace (now() as _loaded_at) from raw.hubspot__companies limit 1"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(repeat_key)
    assert "unique_combination_stg_hubspot__companies" in build()

    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "delete from raw.hubspot__companies where _loaded_at = (select max(_loaded_at) from raw.hubspot__companies)"
        )
        # An old record without a creation time: landed long before the last passing build.
        connection.execute(
            "update raw.hubspot__companies set createdate = null, _loaded_at = timestamptz '2000-01-01 00:00:00+00' "
            "where id = (select min(id) from raw.hubspot__companies)"
        )
    assert build() == ""
    assert "not_null_stg_hubspot__companies" in build("--full-refresh")
