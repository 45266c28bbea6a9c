"""The lower bound for the dbt build: one hand-written DuckDB statement computing the monthly NPS
per product, process and employee (counts, NPS, margin of error) from the conformed responses."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

MONTHLY_MARTS_SQL = """
create or replace temp table monthly_nps as
with monthly as (
    select
        date_trunc('month', responded_date) as period_start,
        survey_type,
        product,
        process,
        employee_id,
        grouping(product, process, employee_id) as grouping_id,
        count(*) as responses,
        count(*) filter (where nps_category = 'promoter') as promoters,
        count(*) filter (where nps_category = 'passive') as passives,
        count(*) filter (where nps_category = 'detractor') as detractors
    from intermediate.int_responses_conformed
    group by grouping sets (
        (period_start, survey_type, product),
        (period_start, survey_type, process),
        (period_start, survey_type, employee_id)
    )
)
select
    *,
    100.0 * (promoters - detractors) / responses as nps,
    -- 1.96 standard errors of the NPS (promoter share minus detractor share), in points
    196.0 * sqrt(
        ((promoters + detractors) / responses - power((promoters - detractors) / responses, 2)) / responses
    ) as nps_margin_of_error
from monthly
"""


def lower_bound(warehouse_path: Path) -> dict[str, Any]:
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        conformed = connection.execute("select count(*) from intermediate.int_responses_conformed").fetchone()[0]
        started = time.perf_counter()
        connection.execute(MONTHLY_MARTS_SQL)
        seconds = time.perf_counter() - started
        rows = connection.execute("select count(*) from monthly_nps").fetchone()[0]
    return {"seconds": seconds, "conformed_responses": conformed, "mart_rows": rows}
