"""Publish: the checked marts replace the reporting database in one atomic step.

DuckDB: the marts are copied into a new file next to `reporting.duckdb`, which is then renamed over
it. A rename is atomic, so a reader opens the old database or the new one, never half of either, and
a BI tool that has the old file open keeps reading it (the old file lives on until it is closed).
Employee-level marts go to a second file, `reporting_restricted.duckdb`, built and renamed the same
way; each new file keeps the permissions of the one it replaces (the restricted one starts as 0600).

PostgreSQL: the marts are copied into `reporting_next` and `reporting_restricted_next`, which are
swapped with `reporting` and `reporting_restricted` in the same transaction, and the reporting roles'
grants re-applied (reporting/access.py); readers see the old schemas until it commits and the new
ones after.

No personal data is published: a column that names a customer (customer_id, ...) is published only
as a pseudonymous key (`pseudonymise_as`), computed here in Python so the secret never reaches SQL;
a column that looks like personal data or an identifier stops the publish, and so does an employee
column outside the restricted database.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.pseudonyms import pseudonym
from reporting.access import FRIENDLY_SCHEMAS, REPORTING_SCHEMA, RESTRICTED_SCHEMA, ReportingRoles, grant_reporting_access
from reporting.catalog import describe_reporting

PUBLISHED_TABLE = "_published"  # when and by which run the reporting database was published
# A swap waits this long for readers' locks on the old reporting tables, then fails (nothing changes).
LOCK_TIMEOUT = "60s"
RESTRICTED_FILE_MODE = 0o600  # the restricted file's mode on its first publish; later ones keep the file's
# value -> its keyed hash, kept in the customer database (it holds customer numbers, so never in
# reporting) so that a publish hashes only values it has not seen; joined while copying.
PSEUDONYMS_SCHEMA = "publish"
PSEUDONYMS_TABLE = f"{PSEUDONYMS_SCHEMA}.pseudonyms"
CURRENT_VALUES = "_published_values"  # temporary: every value the publish pseudonymises
# Columns holding personal data, or an identifier that leads back to a person or their record in a
# source system (an unkeyed hash of one, like response_key, too).
PERSONAL_COLUMN = re.compile(
    r"(^|_)(e?mail|email_address|phone|phone_number|mobile|name|address|comment)$"
    r"|(^|_)(customer|crm|account|contact|company|person|user|respondent|response|deal|opportunity)_?(id|number|key)$"
)
EMPLOYEE_COLUMN = re.compile(r"(^|_)employee_?(id|number|key|name)$")


class PublishError(Exception):
    """A mart would publish what reporting must not hold."""


@dataclass(frozen=True)
class Relation:
    """A warehouse table published under its own name. restricted: to the restricted reporting
    database; pseudonyms: warehouse column -> the published column holding its keyed hash."""

    schema: str
    table: str
    restricted: bool = False
    pseudonyms: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int
    restricted: bool = False


def published_columns(relation: Relation, columns: list[str]) -> list[str]:
    """The warehouse columns as published; raises PublishError for any that reporting must not hold."""
    published = [relation.pseudonyms.get(column, column) for column in columns]
    keys = set(relation.pseudonyms.values())
    personal = [column for column in published if column not in keys and PERSONAL_COLUMN.search(column)]
    employee = [] if relation.restricted else [column for column in published if EMPLOYEE_COLUMN.search(column)]
    problems = []
    if personal:
        problems.append(
            f"{', '.join(personal)}: personal data or an identifier that leads back to a person; leave it out "
            "of the model, or publish its keyed hash (column config, meta: pseudonymise_as: <name>)"
        )
    if employee:
        problems.append(
            f"{', '.join(employee)}: identifies employees; employee-level results go to the restricted "
            "reporting database (model config, meta: publish: restricted)"
        )
    if problems:
        raise PublishError(f"{relation.schema}.{relation.table}: not published: " + "; ".join(problems))
    return published


def publish_duckdb(
    warehouse_path: Path,
    reporting_path: Path,
    relations: list[Relation],
    run_id: str,
    *,
    restricted_path: Path | None = None,
    manifest: dict | None = None,
    pseudonym_key: bytes | None = None,
) -> list[PublishedTable]:
    """The general relations to reporting_path, the restricted ones to restricted_path (published,
    possibly empty, whenever given); described with the dbt manifest's descriptions when one is given.
    Both files are built before either is renamed into place: a failure changes neither."""
    restricted = [relation for relation in relations if relation.restricted]
    if restricted and restricted_path is None:
        raise ValueError(f"restricted relations ({', '.join(r.table for r in restricted)}) need a restricted_path")
    targets = [(reporting_path, [r for r in relations if not r.restricted], None)]
    if restricted_path is not None:
        targets.append((restricted_path, restricted, RESTRICTED_FILE_MODE))
    published, staged = [], []
    try:
        for path, path_relations, first_mode in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            staging = path.with_name(path.name + ".next")
            staging.unlink(missing_ok=True)
            staged.append((staging, path, first_mode))
            published += _build_duckdb_file(staging, warehouse_path, path_relations, run_id, manifest, pseudonym_key)
    except BaseException:
        for staging, _, _ in staged:
            staging.unlink(missing_ok=True)
        raise
    for staging, path, first_mode in staged:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else first_mode
        if mode is not None:
            os.chmod(staging, mode)
        _fsync(staging)
        os.replace(staging, path)
        _fsync(path.parent)
    return published


def _build_duckdb_file(
    path: Path, warehouse_path: Path, relations: list[Relation], run_id: str, manifest: dict | None, key: bytes | None
) -> list[PublishedTable]:
    published = []
    con = duckdb.connect(str(path))
    try:
        con.execute("attach ? as warehouse", [str(warehouse_path)])  # writable for the map of pseudonyms
        _sync_pseudonyms(con, relations, "warehouse.", key, _duckdb_rows)
        for relation in relations:
            source = f"warehouse.{_quoted(relation.schema)}.{_quoted(relation.table)}"
            columns = [column[0] for column in con.execute(f"select * from {source} limit 0").description]
            select = _copy_select(relation, columns, source, f"warehouse.{PSEUDONYMS_TABLE}")
            con.execute(f"create table main.{_quoted(relation.table)} as {select}")
            rows = con.execute(f"select count(*) from main.{_quoted(relation.table)}").fetchone()[0]
            published.append(PublishedTable(relation.table, rows, relation.restricted))
        con.execute("detach warehouse")
        if manifest is not None:
            describe_reporting(con, manifest, [relation.table for relation in relations])
        con.execute(
            f"create table main.{PUBLISHED_TABLE} as select cast(? as timestamp with time zone) as published_at,"
            " cast(? as varchar) as run_id",
            [datetime.now(UTC), run_id],
        )
        con.execute("checkpoint")
    finally:
        con.close()
    return published


def publish_postgres(
    dsn: str,
    relations: list[Relation],
    run_id: str,
    *,
    manifest: dict | None = None,
    pseudonym_key: bytes | None = None,
    roles: ReportingRoles = ReportingRoles(),
) -> list[PublishedTable]:
    """relations: tables in the same database; the general ones published as reporting.<table>, the
    restricted ones as reporting_restricted.<table>, in one transaction with the roles' grants."""
    import psycopg2
    from psycopg2 import sql

    by_schema = {
        REPORTING_SCHEMA: [relation for relation in relations if not relation.restricted],
        RESTRICTED_SCHEMA: [relation for relation in relations if relation.restricted],
    }
    published = []
    con = psycopg2.connect(dsn)
    try:
        with con, con.cursor() as cursor:  # one transaction: on any error nothing changes
            _sync_pseudonyms(cursor, relations, "", pseudonym_key, _postgres_rows)
            for schema, schema_relations in by_schema.items():
                next_schema = sql.Identifier(f"{schema}_next")
                cursor.execute(sql.SQL("drop schema if exists {} cascade").format(next_schema))
                cursor.execute(sql.SQL("create schema {}").format(next_schema))
                for relation in schema_relations:
                    source = f"{_quoted(relation.schema)}.{_quoted(relation.table)}"
                    cursor.execute(f"select * from {source} limit 0")
                    columns = [column.name for column in cursor.description]
                    select = _copy_select(relation, columns, source, PSEUDONYMS_TABLE)
                    cursor.execute(
                        sql.SQL("create table {}.{} as ").format(next_schema, sql.Identifier(relation.table))
                        + sql.SQL(select)
                    )
                    published.append(PublishedTable(relation.table, cursor.rowcount, relation.restricted))
                cursor.execute(
                    sql.SQL("create table {}.{} as select %s::timestamptz as published_at, %s::text as run_id").format(
                        next_schema, sql.Identifier(PUBLISHED_TABLE)
                    ),
                    [datetime.now(UTC), run_id],
                )
            cursor.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
            for schema in by_schema:
                _swap(cursor, schema)
            if manifest is not None:  # after the drop, which took the old friendly views with it
                for schema, schema_relations in by_schema.items():
                    tables = [relation.table for relation in schema_relations]
                    describe_reporting(cursor, manifest, tables, schema=schema, view_schema=FRIENDLY_SCHEMAS[schema])
            grant_reporting_access(cursor, roles)
    finally:
        con.close()
    return published


def _swap(cursor, schema: str) -> None:
    from psycopg2 import sql

    target, next_schema = sql.Identifier(schema), sql.Identifier(f"{schema}_next")
    previous_schema = sql.Identifier(f"{schema}_previous")
    cursor.execute("select 1 from information_schema.schemata where schema_name = %s", [schema])
    if cursor.fetchone():
        cursor.execute(sql.SQL("alter schema {} rename to {}").format(target, previous_schema))
        cursor.execute(sql.SQL("alter schema {} rename to {}").format(next_schema, target))
        cursor.execute(sql.SQL("drop schema {} cascade").format(previous_schema))
    else:
        cursor.execute(sql.SQL("alter schema {} rename to {}").format(next_schema, target))


def _copy_select(relation: Relation, columns: list[str], source: str, pseudonyms: str) -> str:
    """select the relation's columns, each pseudonymised one replaced by its key from the map."""
    published = published_columns(relation, columns)
    select, joins = [], []
    for index, (column, name) in enumerate(zip(columns, published)):
        if column in relation.pseudonyms:
            alias = f"_key{index}"
            select.append(f"{alias}.pseudonym as {_quoted(name)}")
            joins.append(
                f" left join {pseudonyms} as {alias} on {alias}.value = cast(source.{_quoted(column)} as varchar)"
            )
        else:
            select.append(f"source.{_quoted(column)}")
    return f"select {', '.join(select)} from {source} as source" + "".join(joins)


def _sync_pseudonyms(con, relations: list[Relation], prefix: str, key: bytes | None, load_rows) -> None:
    """Bring the stored map (PSEUDONYMS_TABLE under prefix, in the customer database) to exactly the
    values the relations now pseudonymise: a night hashes only its new customers, values no longer
    published leave the map, and a changed key (its stored hashes no longer match) rebuilds it."""
    pseudonymised = [relation for relation in relations if relation.pseudonyms]
    if not pseudonymised:
        return
    if key is None:
        names = ", ".join(f"{r.table}.{c}" for r in pseudonymised for c in r.pseudonyms)
        raise ValueError(f"{names}: published as pseudonymous keys, which need a pseudonym_key")
    stored = f"{prefix}{PSEUDONYMS_TABLE}"
    con.execute(f"create schema if not exists {prefix}{PSEUDONYMS_SCHEMA}")
    con.execute(f"create table if not exists {stored} (value varchar primary key, pseudonym varchar not null)")
    con.execute(f"select value, pseudonym from {stored} limit 1")
    sample = con.fetchone()
    if sample is not None and pseudonym(key, sample[0]) != sample[1]:
        con.execute(f"delete from {stored}")
    current = " union ".join(
        f"select cast({_quoted(column)} as varchar) as value from {prefix}{_quoted(r.schema)}.{_quoted(r.table)} "
        f"where {_quoted(column)} is not null"
        for r in pseudonymised
        for column in r.pseudonyms
    )
    con.execute(f"create temporary table {CURRENT_VALUES} as {current}")
    con.execute(
        f"delete from {stored} as stored where not exists "
        f"(select 1 from {CURRENT_VALUES} as current where current.value = stored.value)"
    )
    con.execute(
        f"select value from {CURRENT_VALUES} as current where not exists "
        f"(select 1 from {stored} as stored where stored.value = current.value)"
    )
    new = [(value, pseudonym(key, value)) for (value,) in con.fetchall()]
    if new:
        load_rows(con, stored, new)


def _duckdb_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["value", "pseudonym"])
    con.register("_pseudonym_rows", frame)
    con.execute(f"insert into {table} select value, pseudonym from _pseudonym_rows")
    con.unregister("_pseudonym_rows")


def _postgres_rows(cursor, table: str, rows: list[tuple[str, str]]) -> None:
    from psycopg2.extras import execute_values

    # A concurrent publish may have stored the same new values: they hash the same.
    execute_values(cursor, f"insert into {table} (value, pseudonym) values %s on conflict do nothing", rows, page_size=10_000)


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
