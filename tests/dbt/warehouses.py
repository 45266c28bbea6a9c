"""Load raw fixtures into a DuckDB file or a PostgreSQL database, run the dbt project against it and
read models back. Raw tables are created exactly as ingestion defines them, for every source the dbt
project reads."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ingestion.connectors import CONNECTORS
from ingestion.raw_tables import RAW_SCHEMA, RawTable
from tests.dbt.raw_fixture import MIN_RESPONSES, REPORTING_TIMEZONE

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO / "dbt_project"
DBT_EXECUTABLE = REPO / ".venv" / "bin" / "dbt"
# The same vars on every invocation, so dbt parses the project once per target path.
DBT_VARS = json.dumps({"reporting_timezone": REPORTING_TIMEZONE, "min_responses": MIN_RESPONSES})
# DuckDB type names PostgreSQL spells differently.
POSTGRES_TYPES = {"double": "double precision"}


def raw_tables() -> list[RawTable]:
    """The raw tables the dbt sources name, with ingestion's column definitions."""
    defined = {table.name: table for c in CONNECTORS.values() for table in c.tables.values()}
    wanted = [
        table.get("identifier", table["name"])
        for path in sorted(DBT_PROJECT_DIR.glob("models/staging/*/_*__sources.yml"))
        for source in yaml.safe_load(path.read_text())["sources"]
        for table in source["tables"]
    ]
    missing = sorted(set(wanted) - set(defined))
    if missing:
        raise LookupError(f"dbt sources name raw tables ingestion does not define: {', '.join(missing)}")
    return [defined[name] for name in wanted]


def _create_statements(postgres: bool) -> list[str]:
    statements = [f"create schema if not exists {RAW_SCHEMA}"]
    for table in raw_tables():
        columns = ", ".join(
            f"{name} {POSTGRES_TYPES.get(sql_type, sql_type) if postgres else sql_type}"
            for name, sql_type in table.all_columns.items()
        )
        statements.append(f"create table if not exists {table.qualified_name} ({columns})")
    return statements


def _insert(cursor: Any, table: str, records: list[dict[str, Any]], placeholder: str) -> None:
    for record in records:
        columns = ", ".join(record)
        values = ", ".join(placeholder for _ in record)
        sql = f"insert into {RAW_SCHEMA}.{table} ({columns}) values ({values})"
        cursor.execute(sql, list(record.values()))


def load_duckdb(path: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    import duckdb

    with duckdb.connect(str(path)) as connection:
        connection.execute("set timezone = 'UTC'")
        for statement in _create_statements(postgres=False):
            connection.execute(statement)
        for table, records in tables.items():
            _insert(connection, table, records, "?")


def load_postgres(dsn: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    import psycopg2

    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        for statement in _create_statements(postgres=True):
            cursor.execute(statement)
        for table, records in tables.items():
            _insert(cursor, table, records, "%s")
    connection.close()


def duckdb_environment(path: Path) -> dict[str, str]:
    return {"NPS_DBT_TARGET": "duckdb", "NPS_WAREHOUSE_PATH": str(path)}


def postgres_environment(dsn: str) -> dict[str, str]:
    from psycopg2.extensions import parse_dsn

    parts = parse_dsn(dsn)
    return {
        "NPS_DBT_TARGET": "postgres",
        "NPS_PG_HOST": parts.get("host", "127.0.0.1"),
        "NPS_PG_PORT": parts.get("port", "5432"),
        "NPS_PG_USER": parts.get("user", "postgres"),
        "NPS_PG_PASSWORD": parts.get("password", ""),
        "NPS_PG_DBNAME": parts["dbname"],
    }


def run_dbt(arguments: list[str], environment: dict[str, str], target_path: Path) -> str:
    """Run dbt on the project with a private target path; return its output or fail with it."""
    command = [
        str(DBT_EXECUTABLE), *arguments,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target_path),
    ]  # fmt: skip
    env = {
        **os.environ, **environment, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_LOG_PATH": str(target_path / "logs"),
    }  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        command_line = " ".join(arguments)
        raise AssertionError(f"`dbt {command_line}` failed ({result.returncode}):\n{result.stdout[-8000:]}")
    return result.stdout


def read_duckdb(path: Path, sql: str) -> list[dict[str, Any]]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def read_postgres(dsn: str, sql: str) -> list[dict[str, Any]]:
    import psycopg2

    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    connection.close()
    return rows
