"""A small reporting database with exactly the published NPS marts' columns, numbers computed from
counts so every row is consistent (NPS, intervals, change), and optional later-stage marts."""
from __future__ import annotations

import math
import random
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

MIN_RESPONSES = 30
PRODUCTS = ("internet", "mobile", "tv")
PROCESSES = ("billing", "installation", "support")
EMPLOYEES = {"E01": "billing", "E02": "billing", "E03": "support", "E04": "support", "E05": "installation"}
MONTHS = [date(2026, month, 1) for month in range(1, 7)]  # January..June 2026

MEASURE_COLUMNS = """
    responses bigint, promoters bigint, passives bigint, detractors bigint, nps double,
    nps_margin_of_error double, nps_ci_lower double, nps_ci_upper double, is_reportable boolean,
    nps_previous double, nps_change double, change_is_significant boolean, baseline_nps double,
    target_nps double, gap_to_target double
"""
KEY_COLUMNS = "period_grain varchar, period_start date, survey_type varchar"


def nps_row(promoters: int, passives: int, detractors: int) -> dict:
    n = promoters + passives + detractors
    p, d = promoters / n, detractors / n
    adjusted_n = n + 3
    ap, ad = (promoters + 0.75) / adjusted_n, (detractors + 0.75) / adjusted_n
    adjusted_nps = 100 * (ap - ad)
    adjusted_margin = 196 * math.sqrt((ap + ad - (ap - ad) ** 2) / adjusted_n)
    return {
        "responses": n, "promoters": promoters, "passives": passives, "detractors": detractors,
        "nps": 100 * (p - d),
        "nps_margin_of_error": 196 * math.sqrt((p + d - (p - d) ** 2) / n),
        "nps_ci_lower": max(-100.0, adjusted_nps - adjusted_margin),
        "nps_ci_upper": min(100.0, adjusted_nps + adjusted_margin),
        "is_reportable": n >= MIN_RESPONSES,
    }


def _periods() -> list[tuple[str, date, list[date]]]:
    """(grain, period_start, months in it) for month, quarter and year over January..June 2026."""
    periods = [("month", month, [month]) for month in MONTHS]
    periods += [("quarter", date(2026, 1, 1), MONTHS[:3]), ("quarter", date(2026, 4, 1), MONTHS[3:])]
    periods.append(("year", date(2026, 1, 1), MONTHS))
    return periods


def mart_frame(group_column: str | None, groups: list[str], survey_types: tuple[str, ...], size: int, seed: int) -> pd.DataFrame:
    """Monthly counts drawn once per group and survey type; quarters and the year add them up."""
    rng = random.Random(seed)
    monthly = {}
    for survey_type in survey_types:
        for group in groups:
            for month in MONTHS:
                n = rng.randint(size // 2, size)
                promoters = rng.randint(n // 4, n // 2)
                detractors = rng.randint(0, n - promoters)
                monthly[survey_type, group, month] = (promoters, n - promoters - detractors, detractors)
    rows = []
    for survey_type in survey_types:
        for group in groups:
            baseline = None
            for grain, start, months in _periods():
                counts = [sum(monthly[survey_type, group, m][i] for m in months) for i in range(3)]
                row = {"period_grain": grain, "period_start": start, "survey_type": survey_type}
                if group_column:
                    row[group_column] = group
                row.update(nps_row(*counts))
                rows.append(row)
    frame = pd.DataFrame(rows).sort_values(["period_grain", "survey_type", *([group_column] if group_column else []), "period_start"])
    keys = ["period_grain", "survey_type", *([group_column] if group_column else [])]
    frame["nps_previous"] = frame.groupby(keys)["nps"].shift(1)
    frame["nps_change"] = frame["nps"] - frame["nps_previous"]
    frame["change_is_significant"] = frame["nps_change"].abs().fillna(0) > 15
    frame["baseline_nps"] = frame.groupby(keys)["nps"].transform("first")
    frame["target_nps"] = 40.0
    frame["gap_to_target"] = frame["target_nps"] - frame["nps"]
    return frame.reset_index(drop=True)


def restricted_path(path: Path) -> Path:
    """Where the restricted reporting database goes next to `path` (as by default in nps.yaml)."""
    return path.with_name("reporting_restricted.duckdb")


def write_reporting_database(path: Path, with_later_marts: bool = False) -> dict[str, pd.DataFrame]:
    """Writes the four NPS marts (and, if asked, the customer-value and closed-loop marts); returns
    them. nps_by_employee goes to the restricted database next to it, as the publish puts it."""
    marts = {
        "nps_overall": mart_frame(None, ["all"], ("transactional", "relational"), 400, seed=1),
        "nps_by_product": mart_frame("product", list(PRODUCTS), ("transactional", "relational"), 120, seed=2),
        "nps_by_process": mart_frame("process", list(PROCESSES), ("transactional",), 100, seed=3),
        "nps_by_employee": mart_frame("employee_id", list(EMPLOYEES), ("transactional",), 50, seed=4),
    }
    marts["nps_by_employee"]["nps_shrunk"] = marts["nps_by_employee"]["nps"] * 0.8
    group_columns = {"nps_overall": "", "nps_by_product": "product varchar, ",
                     "nps_by_process": "process varchar, ", "nps_by_employee": "employee_id varchar, "}
    general, restricted = duckdb.connect(str(path)), duckdb.connect(str(restricted_path(path)))
    try:
        for table, frame in marts.items():
            con = restricted if table == "nps_by_employee" else general
            extra = ", nps_shrunk double" if table == "nps_by_employee" else ""
            con.execute(f"create table {table} ({KEY_COLUMNS}, {group_columns[table]}{MEASURE_COLUMNS}{extra})")
            con.register("frame", frame)
            con.execute(f"insert into {table} by name select * from frame")
            con.unregister("frame")
        for con in (general, restricted):
            con.execute("create table _published as select timestamptz '2026-07-01 02:00:00+00' as published_at, 'run-1' as run_id")
        if with_later_marts:
            marts.update(_write_later_marts(general))
    finally:
        general.close()
        restricted.close()
    return marts


def _write_later_marts(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    marts = {
        # The columns of attribution.summary.customer_value_by_nps (intervals as _ci_low / _ci_high).
        "customer_value_by_nps": pd.DataFrame({
            "nps_category": ["detractor", "passive", "promoter", "not_rated"],
            "customers": [120, 200, 310, 90],
            "churn_rate_12_months": [0.21, 0.12, 0.07, 0.15],
            "churn_rate_12_months_ci_low": [0.14, 0.08, 0.04, None],
            "churn_rate_12_months_ci_high": [0.28, 0.16, 0.10, None],
            "average_revenue_12_months": [910.0, 1040.0, 1260.0, 980.0],
            "average_revenue_12_months_ci_low": [820.0, 960.0, 1180.0, 850.0],
            "average_revenue_12_months_ci_high": [1000.0, 1120.0, 1340.0, 1110.0],
        }),
        # Columns of dbt model nps_drivers_by_process (the ones the report reads).
        "nps_drivers_by_process": pd.DataFrame({
            "period_grain": ["month"] * 4,
            "period_start": [date(2026, 6, 1)] * 4,
            "survey_type": ["transactional"] * 3 + ["relational"],
            "process": ["billing", "support", "billing", "billing"],
            "theme": ["billing", "waiting time", "price", "price"],
            "mentions": [40, 25, 12, 9],
            "detractor_mentions": [26, 12, 6, 5],
            "share_of_detractors": [0.52, 0.3, 0.12, 0.4],
            "share_of_promoters": [0.05, 0.1, None, 0.0],
            "nps_of_mentions": [-52.5, -28.0, -25.0, -40.0],
            "nps_gain_if_detractors_passive": [6.5, 3.0, 1.5, 4.0],
        }),
        "detractor_follow_up": pd.DataFrame({
            "response_id": ["r1", "r2", "r3", "r4", "r5"],
            "process": ["billing", "billing", "support", None, "billing"],
            "status": ["open", "overdue", "done", "open", "open"],
        }),
    }
    for table, frame in marts.items():
        con.register("frame", frame)
        con.execute(f"create table {table} as select * from frame")
        con.unregister("frame")
    return marts


POSTGRES_TYPES = {"VARCHAR": "text", "DATE": "date", "BIGINT": "bigint", "INTEGER": "integer",
                  "DOUBLE": "double precision", "BOOLEAN": "boolean", "TIMESTAMP WITH TIME ZONE": "timestamptz"}


def copy_to_postgres(duckdb_path: Path, dsn: str, schema: str = "reporting") -> None:
    """The same reporting tables in a PostgreSQL schema, as a PostgreSQL warehouse publishes them."""
    import psycopg2

    source = duckdb.connect(str(duckdb_path), read_only=True)
    target = psycopg2.connect(dsn)
    try:
        with target, target.cursor() as cursor:
            cursor.execute(f"create schema {schema}")
            for (table,) in source.execute("select table_name from information_schema.tables").fetchall():
                columns = source.execute(f"describe {table}").fetchall()
                definition = ", ".join(f'"{name}" {POSTGRES_TYPES[kind]}' for name, kind, *_ in columns)
                cursor.execute(f'create table {schema}."{table}" ({definition})')
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f'insert into {schema}."{table}" values ({placeholders})',
                    source.execute(f"select * from {table}").fetchall(),
                )
    finally:
        source.close()
        target.close()
