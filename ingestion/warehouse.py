"""Connections to the warehouse (the customer database and every modelled table): DuckDB by
default, PostgreSQL in production. Both speak the same small interface, so landing, checks and
publishing are written once.

DuckDB allows one process to hold a file at a time, so a connection is opened for one unit of work
and closed straight after; never keep one open across a dbt run.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import duckdb

if TYPE_CHECKING:  # pandas is imported where frames are made: `nps status` and the CLI start faster
    import pandas as pd


class Warehouse(Protocol):
    dialect: str

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]: ...
    def query_frame(self, sql: str, params: tuple | list = ()) -> pd.DataFrame: ...
    def transaction(self): ...
    def load_temp_table(self, name: str, frame: pd.DataFrame, columns: dict[str, str]) -> None: ...
    def insert_frame(self, table: str, frame: pd.DataFrame, columns: dict[str, str]) -> None: ...
    def close(self) -> None: ...


# DuckDB's default is 80 % of the machine, and it keeps what it took as buffer cache for the life of the
# connection: a refresh process would hold gigabytes after one large load. Past the limit it spills to
# disk next to the file. dbt's connections read the same variable (profiles.yml).
MEMORY_LIMIT_ENV = "NPS_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"


def duckdb_memory_limit() -> str:
    return os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


class DuckDBWarehouse:
    dialect = "duckdb"

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.con = duckdb.connect(str(path), config={"memory_limit": duckdb_memory_limit()})
        self.con.execute("set timezone = 'UTC'")

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        cursor = self.con.execute(sql, params)
        return cursor.fetchall() if cursor.description else []

    def query_frame(self, sql: str, params: tuple | list = ()) -> pd.DataFrame:
        return self.con.execute(sql, params).df()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("begin transaction")
        try:
            yield
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    def load_temp_table(self, name: str, frame: pd.DataFrame, columns: dict[str, str]) -> None:
        """Create (or replace) temp table `name` from `frame`, cast to the given SQL types."""
        self.con.register("_frame", frame)
        select = ", ".join(f"cast({col} as {sql_type}) as {col}" for col, sql_type in columns.items())
        self.con.execute(f"create or replace temp table {name} as select {select} from _frame")
        self.con.unregister("_frame")

    def insert_frame(self, table: str, frame: pd.DataFrame, columns: dict[str, str]) -> None:
        """Append `frame`'s `columns` to `table`, cast to the given SQL types."""
        self.con.register("_frame", frame)
        select = ", ".join(f"cast({col} as {sql_type})" for col, sql_type in columns.items())
        self.con.execute(f"insert into {table} ({', '.join(columns)}) select {select} from _frame")
        self.con.unregister("_frame")

    def close(self) -> None:
        self.con.close()


class PostgresWarehouse:
    """psycopg2 with `?` placeholders translated, so SQL is shared with DuckDB."""

    dialect = "postgres"

    def __init__(self, dsn: str):
        import psycopg2

        self.con = psycopg2.connect(dsn)
        self.con.autocommit = True
        self.execute("set timezone = 'UTC'")

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self.con.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), tuple(params))
            return cursor.fetchall() if cursor.description else []

    def query_frame(self, sql: str, params: tuple | list = ()) -> pd.DataFrame:
        import pandas as pd

        with self.con.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), tuple(params))
            return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.autocommit = False
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()
        finally:
            self.con.autocommit = True

    def load_temp_table(self, name: str, frame: pd.DataFrame, columns: dict[str, str]) -> None:
        """COPY `frame` into a fresh temp table `name` with the given SQL types."""
        self.execute(f"drop table if exists {name}")
        self.execute(f"create temp table {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
        self.insert_frame(name, frame, columns)

    def insert_frame(self, table: str, frame: pd.DataFrame, columns: dict[str, str]) -> None:
        """COPY `frame`'s `columns` into `table` (which has those SQL types)."""
        frame = frame[list(columns)].copy()
        for column, sql_type in columns.items():
            if sql_type in ("integer", "bigint"):  # None makes pandas write 10.0
                frame[column] = frame[column].astype("Int64")
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
        buffer.seek(0)
        with self.con.cursor() as cursor:
            cursor.copy_expert(f"copy {table} ({', '.join(columns)}) from stdin with (format csv)", buffer)

    def close(self) -> None:
        self.con.close()


@contextmanager
def open_warehouse(target) -> Iterator[Warehouse]:
    """target: a DuckDB file path, or the `warehouse:` section of nps.yaml (DuckDB or PostgreSQL)."""
    if isinstance(target, Path):
        warehouse = DuckDBWarehouse(target)
    elif target.type == "duckdb":
        warehouse = DuckDBWarehouse(target.path)
    else:
        warehouse = PostgresWarehouse(target.dsn)
    try:
        yield warehouse
    finally:
        warehouse.close()
