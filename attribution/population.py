"""The value models on a bounded sample of customers, with the population's own counts and revenue.

customer_value_cohorts has a row per customer and quarter: at ten million responses some twenty
million rows, more than a nightly can fit or hold in memory. The models are fitted on the quarters of
at most `MAX_FITTED_CUSTOMERS` customers - a fixed pseudo-random choice (the customers whose hashed
number comes first), so the sample stays the same from night to night - and every count and revenue
total in the value tables is computed in the warehouse over all customers. Rates, coefficients and
intervals come from the sample (their intervals say how precise that is); the revenue expected to
churn is the sample's per category, scaled to the category's full revenue.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from attribution.cohorts import CATEGORIES, COLUMNS

MAX_FITTED_CUSTOMERS = 10_000
Query = Callable[[str], pd.DataFrame]


def fitted_cohorts_sql(relation: str, max_customers: int = MAX_FITTED_CUSTOMERS) -> str:
    """The columns the fits read, for every quarter of the sampled customers."""
    return f"""
        select {", ".join(COLUMNS)}
        from {relation}
        where customer_id in (
            select customer_id
            from (select distinct customer_id from {relation}) as customers
            order by md5(customer_id), customer_id
            limit {int(max_customers)}
        )
        order by customer_id, quarter_start_date
    """


def population_sql(relation: str) -> str:
    """Per NPS category, over every customer quarter: customers, quarters, quarters followed up for
    12 months; and over the latest quarter's customers: customers, those without a revenue history
    and their revenue of the previous 12 months."""
    return f"""
        with latest as (
            select max(quarter_start_date) as quarter_start_date from {relation}
        )
        select
            cohorts.nps_category,
            count(distinct cohorts.customer_id) as customers,
            count(*) as customer_quarters,
            count(*) filter (where cohorts.has_full_12_months) as customer_quarters_followed_12_months,
            count(*) filter (where latest.quarter_start_date is not null) as customers_latest_quarter,
            count(*) filter (
                where latest.quarter_start_date is not null and cohorts.revenue_previous_12_months is null
            ) as customers_without_revenue_history,
            coalesce(
                sum(cohorts.revenue_previous_12_months) filter (where latest.quarter_start_date is not null), 0
            ) as annual_revenue
        from {relation} as cohorts
        left join latest on cohorts.quarter_start_date = latest.quarter_start_date
        group by cohorts.nps_category
    """


def with_population_figures(tables: dict[str, pd.DataFrame], population: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The value tables fitted on a sample, with every count and revenue total of the population
    (`population`: the rows of `population_sql`)."""
    figures = (
        population.set_index("nps_category")
        .reindex(list(CATEGORIES))
        .fillna(0)
        .astype({"customers": "int64", "customer_quarters": "int64"})
    )
    by_nps = tables["customer_value_by_nps"].copy()
    for column in ("customers", "customer_quarters", "customers_latest_quarter", "customer_quarters_followed_12_months"):
        by_nps[column] = by_nps["nps_category"].map(figures[column]).astype("int64")

    at_risk = tables["revenue_at_risk"].copy()
    sample_revenue = at_risk["annual_revenue"].astype(float)
    annual = at_risk["nps_category"].map(figures["annual_revenue"]).astype(float)
    total = float(figures["annual_revenue"].sum())
    rated = float(figures["annual_revenue"].drop("not_rated", errors="ignore").sum())
    # The sample's expected churn per unit of revenue, applied to the category's full revenue.
    scale = np.where(sample_revenue > 0, annual / sample_revenue.where(sample_revenue > 0), np.where(annual > 0, np.nan, 1.0))
    for column in (
        "expected_churned_revenue_12_months",
        "expected_churned_revenue_12_months_ci_low",
        "expected_churned_revenue_12_months_ci_high",
    ):
        at_risk[column] = at_risk[column].astype(float) * scale
    at_risk["customers"] = at_risk["nps_category"].map(figures["customers_latest_quarter"]).astype("int64")
    at_risk["customers_without_revenue_history"] = (
        at_risk["nps_category"].map(figures["customers_without_revenue_history"]).astype("int64")
    )
    at_risk["annual_revenue"] = annual
    at_risk["revenue_share"] = annual / total if total else np.nan
    at_risk["survey_coverage_of_revenue"] = rated / total if total else np.nan
    return {**tables, "customer_value_by_nps": by_nps, "revenue_at_risk": at_risk}
