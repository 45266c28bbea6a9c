"""Properties of the NPS formulas as the marts compute them: `nps_statistics()` from
dbt_project/macros, rendered once with Jinja (the macros use nothing of dbt but `var`; a `dbt compile`
costs 10-25 s on this machine) and run by DuckDB on generated (promoters, passives, detractors)."""
from __future__ import annotations

from collections.abc import Iterator

import duckdb
import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.dbt.warehouses import DBT_PROJECT_DIR

STATISTICS = "select promoters, detractors, responses, {{ nps_statistics() }} from generated_counts"
COUNT = st.integers(min_value=0, max_value=2_000_000)
COUNTS = st.lists(st.tuples(COUNT, COUNT, COUNT).filter(lambda c: sum(c) > 0), min_size=1, max_size=25)


@pytest.fixture(scope="module")
def statistics_sql() -> str:
    macros = "".join((DBT_PROJECT_DIR / "macros" / name).read_text() for name in ("nps.sql", "aggregate_nps.sql"))
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(macros + STATISTICS)
    return template.render(var={"min_responses": 30}.__getitem__)


@pytest.fixture(scope="module")
def database() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        connection.execute("create table generated_counts (promoters integer, detractors integer, responses integer)")
        yield connection


def _statistics(database, sql: str, counts: list[tuple[int, int, int]]) -> dict[tuple[int, int, int], dict]:
    """(promoters, detractors, responses) -> the statistics the compiled SQL computes for it."""
    database.execute("delete from generated_counts")
    database.executemany("insert into generated_counts values (?, ?, ?)", counts)
    cursor = database.execute(sql)
    names = [column[0] for column in cursor.description]
    return {(r["promoters"], r["detractors"], r["responses"]): r for r in (dict(zip(names, row)) for row in cursor.fetchall())}


def _with_mirrors(generated: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """(promoters, passives, detractors) -> (p, d, n) rows, each also with p and d swapped."""
    return [row for p, passives, d in generated for row in ((p, d, p + passives + d), (d, p, p + passives + d))]


@settings(max_examples=150, deadline=None)
@given(generated=COUNTS)
def test_nps_and_its_interval_stay_within_bounds(statistics_sql, database, generated):
    for (p, d, n), row in _statistics(database, statistics_sql, _with_mirrors(generated)).items():
        assert -100 <= row["nps"] <= 100
        assert -100 <= row["nps_ci_lower"] <= row["nps_ci_upper"] <= 100, (p, d, n, row)
        assert row["nps_margin_of_error"] >= 0, (p, d, n, row)
        assert row["is_reportable"] == (n >= 30)


@settings(max_examples=150, deadline=None)
@given(generated=COUNTS)
def test_nps_is_100_times_promoters_minus_detractors_over_responses(statistics_sql, database, generated):
    for (p, d, n), row in _statistics(database, statistics_sql, _with_mirrors(generated)).items():
        assert row["nps"] == 100.0 * (p - d) / n


@settings(max_examples=150, deadline=None)
@given(generated=COUNTS)
def test_swapping_promoters_and_detractors_negates_nps_and_mirrors_the_interval(statistics_sql, database, generated):
    found = _statistics(database, statistics_sql, _with_mirrors(generated))

    for (p, d, n), row in found.items():
        mirror = found[(d, p, n)]
        assert mirror["nps"] == -row["nps"]
        assert (mirror["nps_ci_lower"], mirror["nps_ci_upper"]) == (-row["nps_ci_upper"], -row["nps_ci_lower"])
        assert mirror["nps_margin_of_error"] == row["nps_margin_of_error"]


def test_no_responses_give_no_nps_rather_than_an_error(statistics_sql, database):
    row = _statistics(database, statistics_sql, [(0, 0, 0)])[(0, 0, 0)]

    assert (row["nps"], row["nps_margin_of_error"]) == (None, None)
    assert -100 <= row["nps_ci_lower"] <= row["nps_ci_upper"] <= 100
