"""The lower bound's hand-written statement computes the monthly marts' NPS and margin of error."""
import math

import duckdb

from benchmarks.lower_bound import lower_bound


def test_the_lower_bound_statement_computes_monthly_nps_per_product(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema intermediate")
        connection.execute(
            "create table intermediate.int_responses_conformed (responded_date date, survey_type varchar, "
            "product varchar, process varchar, employee_id varchar, nps_category varchar)"
        )
        # March, product A: 3 promoters, 1 passive, 1 detractor -> NPS 40
        rows = [("promoter",)] * 3 + [("passive",), ("detractor",)]
        connection.executemany(
            "insert into intermediate.int_responses_conformed values "
            "('2026-03-05', 'transactional', 'A', 'billing', 'E1', ?)",
            rows,
        )
    figures = lower_bound(warehouse)
    assert figures["conformed_responses"] == 5
    assert figures["mart_rows"] == 3  # one row per product, process and employee
    with duckdb.connect(str(warehouse)) as connection:
        # the statement's temp table is gone with the connection: compute it again to read it
        from benchmarks.lower_bound import MONTHLY_MARTS_SQL

        connection.execute(MONTHLY_MARTS_SQL)
        nps, margin = connection.execute("select nps, nps_margin_of_error from monthly_nps where product = 'A'").fetchone()
    assert nps == 40.0
    # variance of (+1, 0, -1) scores: p + d - (p - d)^2 = 0.8 - 0.16 = 0.64
    assert math.isclose(margin, 196.0 * math.sqrt(0.64 / 5))
