"""`nps setup-roles` on a real PostgreSQL: the reader reads the general reporting marts only, the
manager the restricted ones too, neither the customer database; the grants survive every publish."""
import uuid

import psycopg2
import pytest
from click.testing import CliRunner

from orchestration.cli import main
from reporting.access import ReportingRoles
from reporting.publish import Relation, publish_postgres
from tests.conftest import write_config

pytestmark = pytest.mark.postgres

RELATIONS = [
    Relation("marts", "nps_overall"),
    Relation("marts", "customer_scores", pseudonyms={"customer_id": "customer_key"}),
    Relation("marts", "nps_by_employee", restricted=True),
]
MANIFEST = {"nodes": {"model.nps.nps_overall": {
    "resource_type": "model", "name": "nps_overall", "alias": "nps_overall", "description": "NPS.", "columns": {},
}}}  # fmt: skip
# The customer database next to the reporting schemas: what neither role may read (publish.pseudonyms:
# the customer numbers beside their keyed hashes, stored by the publish).
CUSTOMER_DATABASE = [
    "customers.customers", "raw.csv__responses", "marts.nps_by_employee", "marts.customer_scores", "publish.pseudonyms"
]


@pytest.fixture
def warehouse(postgres_database):
    con = psycopg2.connect(postgres_database)
    con.autocommit = True
    with con.cursor() as cursor:
        for statement in (
            "create schema marts; create schema customers; create schema raw",
            "create table marts.nps_overall as select 12.5 as nps",
            "create table marts.nps_by_employee as select 'E07' as employee_id, 30.0 as nps",
            "create table marts.customer_scores as select 'C00000001' as customer_id, 9 as latest_score",
            "create table customers.customers as select 'C00000001' as customer_id, 'Ann de Vries' as account_name",
            "create table raw.csv__responses as select 'r1' as response_id, 'ann@example.com' as customer_email",
        ):
            cursor.execute(statement)
    yield con
    con.close()


@pytest.fixture
def roles(postgres_database):
    """Role names of this test only (roles are shared by the whole server), dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = {key: f"{key}_{suffix}" for key in ("reader", "manager", "ann", "bob")}
    yield names
    con = psycopg2.connect(postgres_database)
    con.autocommit = True
    with con.cursor() as cursor:
        existing = [name for name in names.values() if _role_exists(cursor, name)]
        if existing:
            cursor.execute(f"drop owned by {', '.join(existing)}")
            cursor.execute(f"drop role {', '.join(existing)}")
    con.close()


def _role_exists(cursor, name: str) -> bool:
    cursor.execute("select 1 from pg_roles where rolname = %s", [name])
    return cursor.fetchone() is not None


def as_user(dsn: str, user: str, sql: str):
    con = psycopg2.connect(dsn.replace("user=postgres", f"user={user}"))
    try:
        with con.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        con.close()


def denied(dsn: str, user: str, relation: str) -> bool:
    try:
        as_user(dsn, user, f"select * from {relation}")
    except psycopg2.errors.InsufficientPrivilege:
        return True
    return False


def setup_roles_command(tmp_path, postgres_database, roles) -> list[str]:
    dbname = postgres_database.split("dbname=")[1]
    config = write_config(tmp_path, {
        "warehouse": {"type": "postgres", "host": "127.0.0.1", "port": 5432, "dbname": dbname, "user": "postgres"},
        "reporting": {"reader_role": roles["reader"], "manager_role": roles["manager"]},
    })  # fmt: skip
    result = CliRunner().invoke(
        main, ["setup-roles", "--config", str(config), "--reader-login", roles["ann"], "--manager-login", roles["bob"]]
    )
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_the_reader_reads_the_general_marts_the_manager_also_the_restricted_ones_and_neither_the_customer_database(
    tmp_path, postgres_database, warehouse, roles
):
    reporting_roles = ReportingRoles(roles["reader"], roles["manager"])
    publish_postgres(postgres_database, RELATIONS, "run-1", manifest=MANIFEST, pseudonym_key=b"k", roles=reporting_roles)

    lines = setup_roles_command(tmp_path, postgres_database, roles)

    assert f"created group role {roles['reader']} (NOLOGIN)" in lines
    assert f"{roles['ann']} is a member of {roles['reader']}" in lines
    reader, manager = roles["ann"], roles["bob"]
    assert as_user(postgres_database, reader, "select nps from reporting.nps_overall") == [(12.5,)]
    assert as_user(postgres_database, reader, 'select "NPS" from friendly.nps_overall') == [(12.5,)]
    assert len(as_user(postgres_database, reader, "select customer_key from reporting.customer_scores")[0][0]) == 64
    assert denied(postgres_database, reader, "reporting_restricted.nps_by_employee")
    assert denied(postgres_database, reader, "friendly_restricted.nps_by_employee")
    assert as_user(postgres_database, manager, "select employee_id from reporting_restricted.nps_by_employee") == [("E07",)]
    assert as_user(postgres_database, manager, "select nps from reporting.nps_overall") == [(12.5,)]
    for user in (reader, manager):
        assert [relation for relation in CUSTOMER_DATABASE if not denied(postgres_database, user, relation)] == []
    with pytest.raises(psycopg2.OperationalError):  # the group roles cannot log in
        as_user(postgres_database, roles["reader"], "select 1")

    # The next publish recreates the schemas; its transaction grants them again.
    with warehouse.cursor() as cursor:
        cursor.execute("update marts.nps_overall set nps = 20.0")
    publish_postgres(postgres_database, RELATIONS, "run-2", manifest=MANIFEST, pseudonym_key=b"k", roles=reporting_roles)

    assert as_user(postgres_database, reader, "select nps, run_id from reporting.nps_overall, reporting._published") == [
        (20.0, "run-2")
    ]
    assert as_user(postgres_database, reader, 'select "NPS" from friendly.nps_overall') == [(20.0,)]
    assert denied(postgres_database, reader, "reporting_restricted.nps_by_employee")
    assert as_user(postgres_database, manager, "select employee_id from reporting_restricted.nps_by_employee") == [("E07",)]

    # Running it again changes nothing and creates nothing.
    again = setup_roles_command(tmp_path, postgres_database, roles)
    assert not any(line.startswith("created") for line in again)


def test_setup_roles_on_duckdb_explains_that_access_is_by_file(tmp_path):
    config = write_config(tmp_path, {"warehouse": {"type": "duckdb"}})

    result = CliRunner().invoke(main, ["setup-roles", "--config", str(config)])

    assert result.exit_code != 0
    assert "needs a PostgreSQL warehouse" in result.output and "reporting_restricted.duckdb" in result.output


def test_role_names_are_checked_when_the_config_is_read(tmp_path):
    from orchestration.config import ConfigError, load_config

    config = write_config(tmp_path, {"reporting": {"reader_role": "bi; drop schema reporting"}})

    with pytest.raises(ConfigError, match=r"reporting.reader_role: String should match pattern"):
        load_config(config)
    defaults = load_config(write_config(tmp_path / "defaults", {})).reporting
    assert (defaults.reader_role, defaults.manager_role) == ("nps_reader", "nps_manager")
    assert defaults.restricted_path == tmp_path / "defaults" / "data" / "reporting_restricted.duckdb"
