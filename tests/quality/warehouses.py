"""Small warehouses for the quality suites: raw responses, conformed responses, an NPS mart,
written straight into DuckDB so each rule can be tried without dbt."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from ingestion.landing import ensure_raw_tables
from ingestion.raw_tables import responses_table
from ingestion.warehouse import DuckDBWarehouse

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
RAW = "raw.csv__responses"


def raw_row(response_id: str, responded_at: datetime, score: int | None = 8, survey_type: str | None = "transactional",
            source: str = "exports", batch: str = "b1", loaded_at: datetime = NOW - timedelta(days=1)) -> dict:
    return {"response_id": response_id, "responded_at": responded_at, "score": score, "survey_type": survey_type,
            "_source": source, "_batch_id": batch, "_loaded_at": loaded_at}  # fmt: skip


def daily_rows(first_day: datetime, days: int, per_day: int, batch: str, loaded_at: datetime,
               prefix: str = "R") -> list[dict]:
    """per_day responses on each of `days` days from first_day, at 10:00 UTC."""
    return [
        raw_row(f"{prefix}{day:03d}-{n:03d}", first_day + timedelta(days=day, hours=10), batch=batch,
                loaded_at=loaded_at)
        for day in range(days) for n in range(per_day)
    ]  # fmt: skip


def raw_warehouse(path: Path, rows: list[dict]) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse(path)
    ensure_raw_tables(warehouse, [responses_table("csv")])
    insert_raw(warehouse, rows)
    return warehouse


def insert_raw(warehouse: DuckDBWarehouse, rows: list[dict]) -> None:
    for row in rows:
        columns = ", ".join(row)
        warehouse.execute(f"insert into {RAW} ({columns}) values ({', '.join('?' for _ in row)})", list(row.values()))


def create_table(con: duckdb.DuckDBPyConnection | DuckDBWarehouse, relation: str, columns: str,
                 rows: list[tuple]) -> None:
    schema = relation.split(".")[0]
    con.execute(f"create schema if not exists {schema}")
    con.execute(f"create or replace table {relation} ({columns})")
    for row in rows:
        con.execute(f"insert into {relation} values ({', '.join('?' for _ in row)})", list(row))


MART_COLUMNS = (
    "period_grain varchar, period_start date, survey_type varchar, product varchar, responses integer, "
    "promoters integer, passives integer, detractors integer, nps double, nps_margin_of_error double, "
    "nps_ci_lower double, nps_ci_upper double, is_reportable boolean"
)


def mart_row(product: str, promoters: int, passives: int, detractors: int, *, responses: int | None = None,
             nps: float | None = None, ci: tuple[float, float] = (-100.0, 100.0), reportable: bool = True) -> tuple:
    total = promoters + passives + detractors if responses is None else responses
    value = 100.0 * (promoters - detractors) / total if nps is None else nps
    return ("month", datetime(2026, 6, 1).date(), "transactional", product, total, promoters, passives,
            detractors, value, 0.0, ci[0], ci[1], reportable)  # fmt: skip
