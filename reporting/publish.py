"""Publish: the checked marts replace the reporting database in one atomic step.

DuckDB: the marts are copied into a new file next to `reporting.duckdb`, which is then renamed over
it. A rename is atomic, so a reader opens the old database or the new one, never half of either, and
a BI tool that has the old file open keeps reading it (the old file lives on until it is closed).

PostgreSQL: the marts are copied into a `reporting_next` schema, which is swapped with `reporting` in
the same transaction; readers see the old schema until it commits and the new one after.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from reporting.catalog import describe_reporting

PUBLISHED_TABLE = "_published"  # when and by which run the reporting database was published
# A swap waits this long for readers' locks on the old reporting tables, then fails (nothing changes).
LOCK_TIMEOUT = "60s"


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


def publish_duckdb(
    warehouse_path: Path,
    reporting_path: Path,
    relations: list[tuple[str, str]],
    run_id: str,
    manifest: dict | None = None,
) -> list[PublishedTable]:
    """relations: (schema, table) in the warehouse; published under the table name, described with
    the dbt manifest's descriptions when one is given."""
    reporting_path.parent.mkdir(parents=True, exist_ok=True)
    staging = reporting_path.with_name(reporting_path.name + ".next")
    staging.unlink(missing_ok=True)
    published = []
    con = duckdb.connect(str(staging))
    try:
        con.execute("attach ? as warehouse (read_only)", [str(warehouse_path)])
        for schema, table in relations:
            con.execute(f"create table main.{table} as select * from warehouse.{schema}.{table}")
            rows = con.execute(f"select count(*) from main.{table}").fetchone()[0]
            published.append(PublishedTable(table, rows))
        con.execute("detach warehouse")
        if manifest is not None:
            describe_reporting(con, manifest, [table for _, table in relations])
        con.execute(
            f"create table main.{PUBLISHED_TABLE} as select cast(? as timestamp with time zone) as published_at,"
            " cast(? as varchar) as run_id",
            [datetime.now(UTC), run_id],
        )
        con.execute("checkpoint")
    except BaseException:
        con.close()
        staging.unlink(missing_ok=True)
        raise
    con.close()
    _fsync(staging)
    os.replace(staging, reporting_path)
    _fsync(reporting_path.parent)
    return published


def publish_postgres(
    dsn: str,
    relations: list[tuple[str, str]],
    run_id: str,
    schema: str = "reporting",
    manifest: dict | None = None,
) -> list[PublishedTable]:
    """relations: (schema, table) in the same database; published as `schema`.<table>."""
    import psycopg2
    from psycopg2 import sql

    next_schema, previous_schema = sql.Identifier(f"{schema}_next"), sql.Identifier(f"{schema}_previous")
    target = sql.Identifier(schema)
    published = []
    con = psycopg2.connect(dsn)
    try:
        with con, con.cursor() as cursor:  # one transaction: on any error nothing changes
            cursor.execute(sql.SQL("drop schema if exists {} cascade").format(next_schema))
            cursor.execute(sql.SQL("create schema {}").format(next_schema))
            for source_schema, table in relations:
                cursor.execute(
                    sql.SQL("create table {}.{} as select * from {}.{}").format(
                        next_schema, sql.Identifier(table), sql.Identifier(source_schema), sql.Identifier(table)
                    )
                )
                published.append(PublishedTable(table, cursor.rowcount))
            cursor.execute(
                sql.SQL("create table {}.{} as select %s::timestamptz as published_at, %s::text as run_id").format(
                    next_schema, sql.Identifier(PUBLISHED_TABLE)
                ),
                [datetime.now(UTC), run_id],
            )
            cursor.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
            cursor.execute("select 1 from information_schema.schemata where schema_name = %s", [schema])
            if cursor.fetchone():
                cursor.execute(sql.SQL("alter schema {} rename to {}").format(target, previous_schema))
                cursor.execute(sql.SQL("alter schema {} rename to {}").format(next_schema, target))
                cursor.execute(sql.SQL("drop schema {} cascade").format(previous_schema))
            else:
                cursor.execute(sql.SQL("alter schema {} rename to {}").format(next_schema, target))
            if manifest is not None:  # after the drop, which took the old friendly views with it
                describe_reporting(cursor, manifest, [table for _, table in relations], schema=schema)
    finally:
        con.close()
    return published


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
