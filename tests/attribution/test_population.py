"""The value models fitted on a sample of customers keep the population's counts and revenue."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from attribution.population import fitted_cohorts_sql, population_sql, with_population_figures
from attribution.summary import value_tables

RELATION = "cohorts"
COUNTS = ["customers", "customer_quarters", "customers_latest_quarter", "customer_quarters_followed_12_months"]
REVENUE = ["customers", "customers_without_revenue_history", "annual_revenue", "revenue_share", "survey_coverage_of_revenue"]


@pytest.fixture(scope="module")
def warehouse(effect_world):
    connection = duckdb.connect()
    connection.register("frame", effect_world.cohorts)
    connection.execute(f"create table {RELATION} as select * from frame")
    yield connection
    connection.close()


def _fitted(warehouse, max_customers: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    sample = warehouse.execute(fitted_cohorts_sql(RELATION, max_customers)).df()
    population = warehouse.execute(population_sql(RELATION)).df()
    return sample, with_population_figures(value_tables(sample), population)


def test_with_every_customer_in_the_sample_the_tables_are_those_of_the_whole_frame(warehouse, effect_world_tables):
    sample, tables = _fitted(warehouse, max_customers=10**9)

    assert len(sample) == len(warehouse.execute(f"select * from {RELATION}").df())
    for name, expected in effect_world_tables.items():
        pd.testing.assert_frame_equal(tables[name], expected, check_dtype=False, rtol=1e-9)


def test_a_sample_of_customers_is_fitted_and_the_counts_and_revenue_stay_the_populations(
    warehouse, effect_world, effect_world_tables
):
    sample, tables = _fitted(warehouse, max_customers=2_000)

    assert sample["customer_id"].nunique() == 2_000
    assert effect_world.cohorts["customer_id"].nunique() > 4_000
    # every quarter of each sampled customer, and the same customers every time
    assert len(sample) == int(effect_world.cohorts["customer_id"].isin(sample["customer_id"]).sum())
    assert sample.equals(_fitted(warehouse, max_customers=2_000)[0])
    model = tables["nps_value_model"]
    assert set(model["n_customers"]) <= set(range(1, 2_001))
    by_nps, at_risk = tables["customer_value_by_nps"], tables["revenue_at_risk"]
    expected_by_nps, expected_at_risk = effect_world_tables["customer_value_by_nps"], effect_world_tables["revenue_at_risk"]
    pd.testing.assert_frame_equal(by_nps[COUNTS], expected_by_nps[COUNTS], check_dtype=False)
    pd.testing.assert_frame_equal(at_risk[REVENUE], expected_at_risk[REVENUE], check_dtype=False, rtol=1e-9)
    # the sample's churn per unit of revenue, on the category's whole revenue: near the full fit
    ratio = at_risk["expected_churned_revenue_12_months"] / expected_at_risk["expected_churned_revenue_12_months"]
    assert ratio.between(0.7, 1.3).all(), ratio.tolist()
