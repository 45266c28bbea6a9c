"""Revenue: log of the next quarter's revenue (OLS; the renewal booked at the quarter start), and
the next 12 months' revenue with a Tweedie GLM (log link), which keeps customers who bring in
nothing and so includes the revenue lost to churn. Standard errors clustered by customer."""
from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from attribution.cohorts import check_cohorts, customer_groups, design_matrix
from attribution.fits import ModelFit, from_results

TWEEDIE_VARIANCE_POWER = 1.5  # between Poisson (1) and gamma (2): a point mass at zero, skewed above


def fit_revenue_next_quarter(cohorts: pd.DataFrame) -> ModelFit:
    cohorts = check_cohorts(cohorts)
    rows = cohorts[cohorts["has_full_quarter"] & (cohorts["revenue_next_quarter"] > 0)]
    if rows.empty:
        raise ValueError("revenue next quarter: expected followed-up customer quarters with revenue, found none")
    exog = design_matrix(rows)
    groups = customer_groups(rows)
    results = sm.OLS(np.log(rows["revenue_next_quarter"].astype(float)), exog).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    return from_results(
        results,
        exog,
        model="revenue_next_quarter",
        outcome="log revenue in the quarter (customer quarters with revenue)",
        method="OLS on log revenue, standard errors clustered by customer",
        effect_measure="revenue ratio",
        n_customers=int(groups.max()) + 1,
        fit_statistic="r2",
        fit_value=float(results.rsquared),
    )


def fit_revenue_12_months(cohorts: pd.DataFrame) -> ModelFit:
    cohorts = check_cohorts(cohorts)
    rows = cohorts[cohorts["has_full_12_months"]]
    if rows.empty:
        raise ValueError("revenue next 12 months: expected customer quarters followed up for 12 months, found none")
    exog = design_matrix(rows)
    groups = customer_groups(rows)
    family = sm.families.Tweedie(var_power=TWEEDIE_VARIANCE_POWER, link=sm.families.links.Log())
    results = sm.GLM(rows["revenue_next_12_months"].astype(float), exog, family=family).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    return from_results(
        results,
        exog,
        model="revenue_next_12_months",
        outcome="revenue in the 12 months after the quarter start, churners included",
        method=f"Tweedie GLM (variance power {TWEEDIE_VARIANCE_POWER}, log link), standard errors clustered by customer",
        effect_measure="revenue ratio",
        n_customers=int(groups.max()) + 1,
        fit_statistic="deviance_explained",
        fit_value=float(1 - results.deviance / results.null_deviance),
    )
