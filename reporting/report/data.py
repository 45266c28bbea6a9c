"""What the report reads: the published marts, loaded once into frames and the database closed.

Employee-level results (nps_by_employee) are in the restricted reporting database (DuckDB: its own
file; PostgreSQL: the schema reporting_restricted). The report reads them when it is given that
database and may read it; without, its employee section says why it is missing."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from reporting.access import REPORTING_SCHEMA, RESTRICTED_SCHEMA

NPS_MARTS = ("nps_overall", "nps_by_product", "nps_by_process")
RESTRICTED_MARTS = ("nps_by_employee",)
# Marts of later stages (customer value, closed loop); their sections say "not available" without them.
OPTIONAL_MARTS = ("customer_value_by_nps", "nps_drivers_by_process", "detractor_follow_up")
PUBLISHED_TABLE = "_published"
# Rows the report shows, selected in the database: at millions of responses nps_by_employee has a
# row per employee and day, and only the reportable few appear in the report.
SHOWN_ROWS = {"nps_by_employee": "is_reportable"}
# Tables the report shows only as counts, counted in the database (column `row_count`) per the listed
# columns the table has: detractor_follow_up holds a row per detractor of the whole history.
COUNTED_BY = {"detractor_follow_up": ("process", "status")}


class ReportDataError(Exception):
    pass


@dataclass(frozen=True)
class ReportData:
    nps_overall: pd.DataFrame
    nps_by_product: pd.DataFrame
    nps_by_process: pd.DataFrame
    nps_by_employee: pd.DataFrame | None  # None: the restricted database was not read
    customer_value_by_nps: pd.DataFrame | None
    nps_drivers_by_process: pd.DataFrame | None
    detractor_follow_up: pd.DataFrame | None
    published_at: datetime | None
    source: str


@dataclass(frozen=True)
class Reader:
    """The tables of one database (or schema) with their columns, and how to read one into a frame."""

    tables: dict[str, list[str]]
    read: Callable[[str], pd.DataFrame]


def load_duckdb(reporting_path: Path, restricted_path: Path | None = None) -> ReportData:
    """Reads the reporting database file (and the restricted one, when given and published)
    read-only; the connections are closed before rendering."""
    if not reporting_path.is_file():
        raise ReportDataError(f"{reporting_path}: reporting database not found (run `nps refresh` first)")
    restricted = {}
    if restricted_path is not None and restricted_path.is_file():
        with _duckdb_reader(restricted_path) as reader:
            restricted = _read_restricted(reader)
    with _duckdb_reader(reporting_path) as reader:
        return _read(reader, restricted, str(reporting_path))


@contextmanager
def _duckdb_reader(path: Path) -> Iterator[Reader]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute("select table_name, column_name from information_schema.columns order by ordinal_position")
        tables = _columns_by_table(columns.fetchall())
        yield Reader(tables, lambda table: con.execute(_select(f'"{table}"', table, tables[table])).df())
    finally:
        con.close()


def load_postgres(dsn: str, schema: str = REPORTING_SCHEMA, restricted_schema: str = RESTRICTED_SCHEMA) -> ReportData:
    """Reads the reporting schema (and the restricted one, where this user may) in one read-only
    transaction."""
    import psycopg2

    con = psycopg2.connect(dsn)
    try:
        con.set_session(readonly=True)
        with con.cursor() as cursor:
            restricted = _read_restricted(_postgres_reader(cursor, restricted_schema))
            return _read(_postgres_reader(cursor, schema), restricted, f"schema {schema} of {con.info.dbname}")
    finally:
        con.close()


def _postgres_reader(cursor, schema: str) -> Reader:
    # information_schema lists only the tables this user has a privilege on.
    cursor.execute(
        "select table_name, column_name from information_schema.columns where table_schema = %s order by ordinal_position",
        [schema],
    )
    tables = _columns_by_table(cursor.fetchall())

    def read(table: str) -> pd.DataFrame:
        cursor.execute(_select(f'"{schema}"."{table}"', table, tables[table]))
        return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])

    return Reader(tables, read)


def _columns_by_table(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _select(relation: str, table: str, columns: list[str]) -> str:
    """The query reading what the report shows of `table`: its shown rows, or its counts."""
    if table in COUNTED_BY:
        keys = ", ".join(f'"{column}"' for column in COUNTED_BY[table] if column in columns)
        if not keys:
            return f"select count(*) as row_count from {relation}"
        return f"select {keys}, count(*) as row_count from {relation} group by {keys} order by {keys}"
    where = f" where {SHOWN_ROWS[table]}" if table in SHOWN_ROWS else ""
    return f"select * from {relation}{where}"


def _read_restricted(reader: Reader) -> dict[str, pd.DataFrame]:
    return {table: _normalised(reader.read(table)) for table in RESTRICTED_MARTS if table in reader.tables}


def _read(reader: Reader, restricted: dict[str, pd.DataFrame], source: str) -> ReportData:
    tables, read = reader.tables, reader.read
    missing = [table for table in NPS_MARTS if table not in tables]
    if missing:
        raise ReportDataError(f"{source}: expected the NPS marts {', '.join(NPS_MARTS)}; missing {', '.join(missing)}")
    frames = {table: _normalised(read(table)) for table in NPS_MARTS}
    optional = {table: _normalised(read(table)) if table in tables else None for table in OPTIONAL_MARTS}
    published_at = None
    if PUBLISHED_TABLE in tables:
        published = read(PUBLISHED_TABLE)
        if len(published):
            published_at = pd.Timestamp(published["published_at"].iloc[0]).to_pydatetime()
    employees = {table: restricted.get(table) for table in RESTRICTED_MARTS}
    return ReportData(**frames, **employees, **optional, published_at=published_at, source=source)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """period_start as a plain date string (ISO), decimals as floats: what the page and plotly expect."""
    frame = frame.copy()
    if "period_start" in frame.columns:
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d")
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].map(lambda v: type(v).__name__ == "Decimal").any():
            frame[column] = frame[column].astype(float)
    return frame
