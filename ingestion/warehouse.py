"""Connections to the warehouse (the customer database and every modelled table).

DuckDB allows one process to hold a file at a time, so a connection is opened for one unit of work
and closed straight after; never keep one open across a dbt run.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd


class DuckDBWarehouse:
    dialect = "duckdb"

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.con = duckdb.connect(str(path))
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

    def close(self) -> None:
        self.con.close()


@contextmanager
def open_warehouse(path: Path) -> Iterator[DuckDBWarehouse]:
    warehouse = DuckDBWarehouse(path)
    try:
        yield warehouse
    finally:
        warehouse.close()
