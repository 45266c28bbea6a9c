"""What the report reads: the published marts, loaded once into frames and the database closed."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

NPS_MARTS = ("nps_overall", "nps_by_product", "nps_by_process", "nps_by_employee")
# Marts of later stages (customer value, closed loop); their sections say "not available" without them.
OPTIONAL_MARTS = ("customer_value_by_nps", "nps_drivers_by_process", "detractor_follow_up")
PUBLISHED_TABLE = "_published"


class ReportDataError(Exception):
    pass


@dataclass(frozen=True)
class ReportData:
    nps_overall: pd.DataFrame
    nps_by_product: pd.DataFrame
    nps_by_process: pd.DataFrame
    nps_by_employee: pd.DataFrame
    customer_value_by_nps: pd.DataFrame | None
    nps_drivers_by_process: pd.DataFrame | None
    detractor_follow_up: pd.DataFrame | None
    published_at: datetime | None
    source: str


def load_duckdb(reporting_path: Path) -> ReportData:
    """Reads the reporting database file read-only; the connection is closed before rendering."""
    if not reporting_path.is_file():
        raise ReportDataError(f"{reporting_path}: reporting database not found (run `nps refresh` first)")
    con = duckdb.connect(str(reporting_path), read_only=True)
    try:
        tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
        return _read(tables, lambda table: con.execute(f'select * from "{table}"').df(), str(reporting_path))
    finally:
        con.close()


def load_postgres(dsn: str, schema: str = "reporting") -> ReportData:
    """Reads the `reporting` schema of a PostgreSQL warehouse in one read-only transaction."""
    import psycopg2

    con = psycopg2.connect(dsn)
    try:
        con.set_session(readonly=True)
        with con.cursor() as cursor:
            cursor.execute("select table_name from information_schema.tables where table_schema = %s", [schema])
            tables = {row[0] for row in cursor.fetchall()}

            def read(table: str) -> pd.DataFrame:
                cursor.execute(f'select * from "{schema}"."{table}"')
                return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])

            return _read(tables, read, f"schema {schema} of {con.info.dbname}")
    finally:
        con.close()


def _read(tables: set[str], read: Callable[[str], pd.DataFrame], source: str) -> ReportData:
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
    return ReportData(**frames, **optional, published_at=published_at, source=source)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """period_start as a plain date string (ISO), decimals as floats: what the page and plotly expect."""
    frame = frame.copy()
    if "period_start" in frame.columns:
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d")
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].map(lambda v: type(v).__name__ == "Decimal").any():
            frame[column] = frame[column].astype(float)
    return frame
