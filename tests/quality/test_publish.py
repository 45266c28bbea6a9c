"""Publishing replaces the reporting database in one atomic step: readers see the old version or
the new one, never half of either; a failed publish changes nothing."""
import hashlib
import threading

import duckdb
import pytest

from reporting.publish import Relation, publish_duckdb, publish_postgres

OVERALL, BY_PRODUCT = Relation("marts", "nps_overall"), Relation("marts", "nps_by_product")


def make_warehouse(path, nps: float) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.nps_overall as select ? as nps, 1 as responses", [nps])
    con.close()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_reader_holding_the_old_duckdb_file_keeps_reading_it_and_sees_the_new_one_on_reopening(tmp_path):
    warehouse, reporting = tmp_path / "warehouse.duckdb", tmp_path / "reporting.duckdb"
    make_warehouse(warehouse, 10.0)
    publish_duckdb(warehouse, reporting, [OVERALL], "run-1")
    reader = duckdb.connect(str(reporting), read_only=True)
    assert reader.execute("select nps from nps_overall").fetchall() == [(10.0,)]

    make_warehouse(warehouse, 20.0)
    [table] = publish_duckdb(warehouse, reporting, [OVERALL], "run-2")

    assert (table.name, table.rows) == ("nps_overall", 1)
    assert reader.execute("select nps from nps_overall").fetchall() == [(10.0,)]
    assert reader.execute("select run_id from _published").fetchall() == [("run-1",)]
    reader.close()
    reopened = duckdb.connect(str(reporting), read_only=True)
    assert reopened.execute("select nps, run_id from nps_overall, _published").fetchall() == [(20.0, "run-2")]
    reopened.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reporting.duckdb", "warehouse.duckdb"]


def test_a_failed_duckdb_publish_leaves_the_reporting_file_byte_for_byte_and_no_half_written_file(tmp_path):
    warehouse, reporting = tmp_path / "warehouse.duckdb", tmp_path / "reporting.duckdb"
    make_warehouse(warehouse, 10.0)
    publish_duckdb(warehouse, reporting, [OVERALL], "run-1")
    before = digest(reporting)

    with pytest.raises(duckdb.CatalogException, match="nps_by_product"):
        publish_duckdb(warehouse, reporting, [OVERALL, BY_PRODUCT], "run-2")

    assert digest(reporting) == before
    assert not reporting.with_name("reporting.duckdb.next").exists()


@pytest.mark.postgres
def test_postgres_builds_reporting_next_and_swaps_it_in_one_transaction(postgres_database):
    import psycopg2

    admin = psycopg2.connect(postgres_database)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("create schema marts; create table marts.nps_overall as select 10.0 as nps")
    publish_postgres(postgres_database, [OVERALL], "run-1")
    with admin.cursor() as cursor:
        cursor.execute("update marts.nps_overall set nps = 20.0")

    # A reader in the middle of a transaction keeps its consistent view; the swap waits for it.
    reader = psycopg2.connect(postgres_database)
    with reader.cursor() as cursor:
        cursor.execute("select nps from reporting.nps_overall")
        assert cursor.fetchall() == [(10.0,)]
    publisher = threading.Thread(
        target=publish_postgres, args=(postgres_database, [OVERALL], "run-2")
    )
    publisher.start()
    publisher.join(timeout=2)
    assert publisher.is_alive()  # blocked by the reader's lock, not half done
    with reader.cursor() as cursor:
        cursor.execute("select nps from reporting.nps_overall")
        assert cursor.fetchall() == [(10.0,)]
    reader.commit()
    publisher.join(timeout=30)

    with admin.cursor() as cursor:
        cursor.execute("select nps, run_id from reporting.nps_overall, reporting._published")
        assert cursor.fetchall() == [(20.0, "run-2")]
        cursor.execute(
            "select schema_name from information_schema.schemata where schema_name like 'reporting%' order by 1"
        )
        assert cursor.fetchall() == [("reporting",), ("reporting_restricted",)]
    reader.close()
    admin.close()


@pytest.mark.postgres
def test_a_failed_postgres_publish_leaves_reporting_as_it_was(postgres_database):
    import psycopg2

    admin = psycopg2.connect(postgres_database)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("create schema marts; create table marts.nps_overall as select 10.0 as nps")
    publish_postgres(postgres_database, [OVERALL], "run-1")

    with pytest.raises(psycopg2.errors.UndefinedTable, match="nps_by_product"):
        publish_postgres(postgres_database, [OVERALL, BY_PRODUCT], "run-2")

    with admin.cursor() as cursor:
        cursor.execute("select nps, run_id from reporting.nps_overall, reporting._published")
        assert cursor.fetchall() == [(10.0, "run-1")]
        cursor.execute(
            "select schema_name from information_schema.schemata where schema_name like 'reporting%' order by 1"
        )
        assert cursor.fetchall() == [("reporting",), ("reporting_restricted",)]
    admin.close()
