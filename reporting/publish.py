"""Publish: copy the checked marts into a new reporting file and rename it over the old one.

The rename is atomic, so a reader sees the old database or the new one, never half of either, and a
BI tool that has the old file open keeps reading it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


def publish_duckdb(
    warehouse_path: Path, reporting_path: Path, relations: list[tuple[str, str]], run_id: str
) -> list[PublishedTable]:
    """relations: (schema, table) in the warehouse; published under the table name."""
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
        con.execute(
            "create table main._published as select cast(? as timestamp with time zone) as published_at,"
            " cast(? as varchar) as run_id",
            [datetime.now(UTC), run_id],
        )
        con.execute("checkpoint")
    finally:
        con.close()
    _fsync(staging)
    os.replace(staging, reporting_path)
    _fsync(reporting_path.parent)
    return published


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
