"""The reporting database describes itself: every published table and column carries its dbt
description as a comment, a `friendly` schema offers each table as a view with readable column names
("NPS 95 % interval, lower"), and the dbt documentation site is published to data/docs/dbt/.

The SQL is the same on DuckDB and PostgreSQL (COMMENT ON, CREATE OR REPLACE VIEW); `con` is a DuckDB
connection or a psycopg2 cursor: both have execute(sql) and fetchall().
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Protocol

from reporting.friendly_names import friendly_name

FRIENDLY_SCHEMA = "friendly"
# `dbt docs generate --static` embeds manifest and catalog in static_index.html, which therefore opens
# from disk (file://); the JSON files are published next to it for tools that read them.
DBT_DOCS_FILES = {"static_index.html": "index.html", "manifest.json": "manifest.json", "catalog.json": "catalog.json"}


class SqlConnection(Protocol):
    def execute(self, sql: str, *args: Any) -> Any: ...
    def fetchall(self) -> list[tuple]: ...


def load_manifest(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def model_descriptions(manifest: dict) -> dict[str, tuple[str, dict[str, str]]]:
    """Per model alias (the published table name): its description and its columns' descriptions,
    under their published names (a pseudonymised column under the name of its key)."""
    described = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        columns = {
            pseudonymised_as(column) or name: _one_line(column.get("description", ""))
            for name, column in node.get("columns", {}).items()
        }
        described[node.get("alias") or node["name"]] = (_one_line(node.get("description", "")), columns)
    return described


def pseudonymised_as(column: dict) -> str | None:
    """The column's `pseudonymise_as` meta (in its config, or at the top level in older manifests):
    the name it is published under, as a keyed hash of its values."""
    meta = {**column.get("meta", {}), **column.get("config", {}).get("meta", {})}
    return meta.get("pseudonymise_as")


def comment_statements(manifest: dict, tables: list[str], schema: str) -> list[str]:
    """COMMENT ON TABLE/COLUMN for each published table the manifest describes (empty descriptions skipped)."""
    descriptions = model_descriptions(manifest)
    statements = []
    for table in tables:
        if table not in descriptions:
            continue
        description, columns = descriptions[table]
        if description:
            statements.append(f"comment on table {_name(schema)}.{_name(table)} is {_literal(description)}")
        for column, column_description in columns.items():
            if column_description:
                target = f"{_name(schema)}.{_name(table)}.{_name(column)}"
                statements.append(f"comment on column {target} is {_literal(column_description)}")
    return statements


def friendly_view_statements(
    columns: dict[str, list[str]], schema: str, manifest: dict, view_schema: str = FRIENDLY_SCHEMA
) -> list[str]:
    """columns: per table, its columns in order. One view per table, same name, readable column names;
    the views carry the same comments as the tables."""
    descriptions = model_descriptions(manifest)
    statements = [f"create schema if not exists {_name(view_schema)}"]
    for table, names in columns.items():
        friendly = [friendly_name(name) for name in names]
        repeated = sorted({label for label in friendly if friendly.count(label) > 1})
        if repeated:
            raise ValueError(f"table {schema}.{table}: columns would share the friendly names {', '.join(repeated)}")
        select = ", ".join(f"{_name(name)} as {_name(label)}" for name, label in zip(names, friendly))
        view = f"{_name(view_schema)}.{_name(table)}"
        statements.append(f"create or replace view {view} as select {select} from {_name(schema)}.{_name(table)}")
        description, column_descriptions = descriptions.get(table, ("", {}))
        if description:
            statements.append(f"comment on view {view} is {_literal(description)}")
        for name, label in zip(names, friendly):
            if column_descriptions.get(name):
                statements.append(f"comment on column {view}.{_name(label)} is {_literal(column_descriptions[name])}")
    return statements


def describe_reporting(
    con: SqlConnection, manifest: dict, tables: list[str], schema: str = "main", view_schema: str = FRIENDLY_SCHEMA
) -> None:
    """Comments on the published tables and the friendly views over them (in view_schema). Run it
    where the tables are written (DuckDB: on the .next file before the rename; PostgreSQL: in the
    swap transaction, after the swap, so the views point at the new tables)."""
    for statement in comment_statements(manifest, tables, schema):
        con.execute(statement)
    for statement in friendly_view_statements(table_columns(con, tables, schema), schema, manifest, view_schema):
        con.execute(statement)


def table_columns(con: SqlConnection, tables: list[str], schema: str) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {table: [] for table in tables}
    con.execute(
        "select table_name, column_name from information_schema.columns "
        f"where table_schema = {_literal(schema)} order by table_name, ordinal_position"
    )
    for table, column in con.fetchall():
        if table in columns:
            columns[table].append(column)
    missing = [table for table, names in columns.items() if not names]
    if missing:
        raise ValueError(f"schema {schema}: expected the published tables {', '.join(missing)}; not found")
    return columns


def publish_dbt_docs(target_dir: Path, docs_dir: Path) -> list[Path]:
    """Copies what `dbt docs generate --static` wrote in target_dir to docs_dir, each file written
    next to its destination and renamed over it (a reader never opens half a file)."""
    missing = [name for name in DBT_DOCS_FILES if not (target_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{target_dir}: expected the output of `dbt docs generate --static` ({', '.join(DBT_DOCS_FILES)}); "
            f"missing {', '.join(missing)}"
        )
    docs_dir.mkdir(parents=True, exist_ok=True)
    published = []
    for source_name, published_name in DBT_DOCS_FILES.items():
        destination = docs_dir / published_name
        partial = docs_dir / f".{published_name}.next"
        shutil.copyfile(target_dir / source_name, partial)
        os.replace(partial, destination)
        published.append(destination)
    return published


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
