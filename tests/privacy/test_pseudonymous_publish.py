"""Reporting holds no personal data: customers only under a keyed hash, employee-level results only in
the restricted database, and a mart with a personal column is not published at all."""
import hashlib
import hmac
import stat

import duckdb
import pytest

from ingestion.pseudonyms import KEY_FILE_NAME, PSEUDONYM_KEY_ENV, PseudonymKeyError, pseudonym_key
from reporting.publish import PublishError, Relation, publish_duckdb, publish_postgres

KEY = b"k" * 32
SCORES = Relation("marts", "customer_scores", pseudonyms={"customer_id": "customer_key"})
OVERALL = Relation("marts", "nps_overall")
BY_EMPLOYEE = Relation("marts", "nps_by_employee", restricted=True)


def hmac_hex(value: str) -> str:
    return hmac.new(KEY, value.encode(), hashlib.sha256).hexdigest()


def create_marts(run) -> None:
    """`run` executes one statement, on DuckDB or PostgreSQL."""
    for statement in (
        "create schema if not exists marts",
        "create table marts.nps_overall as select 12.5 as nps, 40 as responses",
        "create table marts.nps_by_employee as select 'E07' as employee_id, 30.0 as nps",
        "create table marts.customer_scores (customer_id varchar, region varchar, latest_score integer)",
        "insert into marts.customer_scores values ('C00000001', 'north', 9), ('C00000002', 'south', 3), (null, 'north', 7)",
        "create table marts.customer_contacts as select 'C00000001' as customer_id, 'ann@example.com' as email",
    ):
        run(statement)


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    create_marts(con.execute)
    con.close()
    return path


def read(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_duckdb_publishes_customers_under_keyed_hashes_and_employees_to_the_restricted_file(tmp_path, warehouse):
    reporting, restricted = tmp_path / "reporting.duckdb", tmp_path / "reporting_restricted.duckdb"

    tables = publish_duckdb(
        warehouse, reporting, [OVERALL, SCORES, BY_EMPLOYEE], "run-1", restricted_path=restricted, pseudonym_key=KEY
    )

    assert {(t.name, t.rows, t.restricted) for t in tables} == {
        ("nps_overall", 1, False), ("customer_scores", 3, False), ("nps_by_employee", 1, True),
    }  # fmt: skip
    assert read(reporting, "select customer_key, region, latest_score from customer_scores order by latest_score") == [
        (hmac_hex("C00000002"), "south", 3), (None, "north", 7), (hmac_hex("C00000001"), "north", 9),
    ]  # fmt: skip
    assert read(reporting, "select column_name from information_schema.columns where column_name like '%customer_id%'") == []
    assert read(reporting, "select table_name from information_schema.tables order by 1") == [
        ("_published",), ("customer_scores",), ("nps_overall",)
    ]
    assert read(restricted, "select employee_id, nps from nps_by_employee") == [("E07", 30.0)]
    assert read(restricted, "select run_id from _published") == [("run-1",)]
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o600
    # The key is used, never stored: it is in neither file.
    assert KEY not in reporting.read_bytes() and KEY not in restricted.read_bytes()


def stored_pseudonyms(warehouse) -> dict[str, str]:
    return dict(read(warehouse, "select value, pseudonym from publish.pseudonyms"))


def test_a_publish_hashes_only_new_values_and_the_map_holds_only_what_is_published(tmp_path, warehouse, monkeypatch):
    import reporting.publish

    reporting_path = tmp_path / "reporting.duckdb"
    publish_duckdb(warehouse, reporting_path, [SCORES], "run-1", pseudonym_key=KEY)
    assert stored_pseudonyms(warehouse) == {"C00000001": hmac_hex("C00000001"), "C00000002": hmac_hex("C00000002")}
    con = duckdb.connect(str(warehouse))
    con.execute("delete from marts.customer_scores where customer_id = 'C00000002'")
    con.execute("insert into marts.customer_scores values ('C00000003', 'east', 10)")
    con.close()
    hashed = []
    monkeypatch.setattr(reporting.publish, "pseudonym", lambda key, value: hashed.append(value) or hmac_hex(value))

    publish_duckdb(warehouse, reporting_path, [SCORES], "run-2", pseudonym_key=KEY)

    # One stored value is hashed again to check the key, then only the new customer.
    assert len(hashed) == 2 and hashed[0] in {"C00000001", "C00000002"} and hashed[1] == "C00000003"
    assert stored_pseudonyms(warehouse) == {"C00000001": hmac_hex("C00000001"), "C00000003": hmac_hex("C00000003")}
    assert read(reporting_path, "select customer_key from customer_scores order by latest_score") == [
        (None,), (hmac_hex("C00000001"),), (hmac_hex("C00000003"),)
    ]


def test_a_new_key_replaces_every_stored_hash(tmp_path, warehouse):
    reporting_path, new_key = tmp_path / "reporting.duckdb", b"n" * 32
    publish_duckdb(warehouse, reporting_path, [SCORES], "run-1", pseudonym_key=KEY)

    publish_duckdb(warehouse, reporting_path, [SCORES], "run-2", pseudonym_key=new_key)

    expected = {value: hmac.new(new_key, value.encode(), hashlib.sha256).hexdigest() for value in ("C00000001", "C00000002")}
    assert stored_pseudonyms(warehouse) == expected
    assert set(read(reporting_path, "select customer_key from customer_scores where customer_key is not null")) == {
        (key,) for key in expected.values()
    }


def test_the_key_column_is_described_and_has_a_friendly_name(tmp_path, warehouse):
    manifest = {"nodes": {"model.nps.customer_scores": {
        "resource_type": "model", "name": "customer_scores", "alias": "customer_scores", "description": "Per customer.",
        "columns": {"customer_id": {
            "name": "customer_id", "description": "Keyed hash of the customer number.",
            "config": {"meta": {"pseudonymise_as": "customer_key"}},
        }},
    }}}  # fmt: skip
    reporting = tmp_path / "reporting.duckdb"

    publish_duckdb(warehouse, reporting, [SCORES], "run-1", manifest=manifest, pseudonym_key=KEY)

    assert read(
        reporting,
        "select schema_name, column_name, comment from duckdb_columns() where column_name ilike 'customer%' order by 1",
    ) == [
        ("friendly", "Customer key", "Keyed hash of the customer number."),
        ("main", "customer_key", "Keyed hash of the customer number."),
    ]


def test_a_later_publish_keeps_the_permissions_given_to_each_file(tmp_path, warehouse):
    reporting, restricted = tmp_path / "reporting.duckdb", tmp_path / "reporting_restricted.duckdb"
    publish = lambda run: publish_duckdb(  # noqa: E731
        warehouse, reporting, [OVERALL, BY_EMPLOYEE], run, restricted_path=restricted, pseudonym_key=KEY
    )
    publish("run-1")
    restricted.chmod(0o640)
    reporting.chmod(0o644)

    publish("run-2")

    assert stat.S_IMODE(restricted.stat().st_mode) == 0o640
    assert stat.S_IMODE(reporting.stat().st_mode) == 0o644
    assert read(restricted, "select run_id from _published") == [("run-2",)]


@pytest.mark.parametrize(
    ("relation", "message"),
    [
        (Relation("marts", "customer_contacts", pseudonyms={"customer_id": "customer_key"}), "email: personal data"),
        (Relation("marts", "customer_scores"), "customer_id: personal data or an identifier"),
        (Relation("marts", "nps_by_employee"), "employee_id: identifies employees"),
    ],
)
def test_a_mart_with_a_personal_column_stops_the_publish_and_changes_nothing(tmp_path, warehouse, relation, message):
    reporting, restricted = tmp_path / "reporting.duckdb", tmp_path / "reporting_restricted.duckdb"
    publish_duckdb(warehouse, reporting, [OVERALL], "run-1", restricted_path=restricted, pseudonym_key=KEY)
    before = reporting.read_bytes(), restricted.read_bytes()

    with pytest.raises(PublishError, match=message):
        publish_duckdb(warehouse, reporting, [OVERALL, relation], "run-2", restricted_path=restricted, pseudonym_key=KEY)

    assert (reporting.read_bytes(), restricted.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reporting.duckdb", "reporting_restricted.duckdb", "warehouse.duckdb"]


def test_pseudonymised_columns_need_a_key(tmp_path, warehouse):
    with pytest.raises(ValueError, match="customer_scores.customer_id: published as pseudonymous keys"):
        publish_duckdb(warehouse, tmp_path / "reporting.duckdb", [SCORES], "run-1")


def test_the_installation_key_is_made_once_private_and_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.delenv(PSEUDONYM_KEY_ENV, raising=False)
    data = tmp_path / "data"

    first = pseudonym_key(data)

    assert len(first) == 64 and pseudonym_key(data) == first
    assert stat.S_IMODE((data / KEY_FILE_NAME).stat().st_mode) == 0o600
    assert [p.name for p in data.iterdir()] == [KEY_FILE_NAME]
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "from-the-environment")
    assert pseudonym_key(data) == b"from-the-environment"
    monkeypatch.delenv(PSEUDONYM_KEY_ENV)
    (data / KEY_FILE_NAME).chmod(0o644)
    with pytest.raises(PseudonymKeyError, match="readable by others"):
        pseudonym_key(data)


@pytest.mark.postgres
def test_postgres_publishes_customers_under_keyed_hashes_and_employees_to_the_restricted_schema(postgres_database):
    import psycopg2

    con = psycopg2.connect(postgres_database)
    con.autocommit = True
    with con.cursor() as cursor:
        create_marts(cursor.execute)
    manifest = {"nodes": {"model.nps.nps_by_employee": {
        "resource_type": "model", "name": "nps_by_employee", "alias": "nps_by_employee",
        "description": "NPS per employee.", "columns": {},
    }}}  # fmt: skip

    publish_postgres(postgres_database, [OVERALL, SCORES, BY_EMPLOYEE], "run-1", manifest=manifest, pseudonym_key=KEY)

    with con.cursor() as cursor:
        cursor.execute("select customer_key, region from reporting.customer_scores order by latest_score")
        assert cursor.fetchall() == [(hmac_hex("C00000002"), "south"), (None, "north"), (hmac_hex("C00000001"), "north")]
        cursor.execute("select employee_id from reporting_restricted.nps_by_employee")
        assert cursor.fetchall() == [("E07",)]
        cursor.execute('select "Employee" from friendly_restricted.nps_by_employee')
        assert cursor.fetchall() == [("E07",)]
        cursor.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_name = 'nps_by_employee' order by 1"
        )
        assert cursor.fetchall() == [("friendly_restricted", "nps_by_employee"), ("marts", "nps_by_employee"),
                                     ("reporting_restricted", "nps_by_employee")]
        cursor.execute("select g.run_id, r.run_id from reporting._published g, reporting_restricted._published r")
        assert cursor.fetchall() == [("run-1", "run-1")]
        cursor.execute("update marts.customer_scores set customer_id = 'C00000003' where customer_id = 'C00000002'")

    publish_postgres(postgres_database, [OVERALL, SCORES, BY_EMPLOYEE], "run-2", pseudonym_key=KEY)

    with con.cursor() as cursor:
        cursor.execute("select value, pseudonym from publish.pseudonyms order by value")
        assert cursor.fetchall() == [("C00000001", hmac_hex("C00000001")), ("C00000003", hmac_hex("C00000003"))]
        cursor.execute("select customer_key from reporting.customer_scores order by latest_score")
        assert cursor.fetchall() == [(hmac_hex("C00000003"),), (None,), (hmac_hex("C00000001"),)]
    con.close()
