"""Churn: logistic regression of churning within the next quarter / 12 months on the category at
the quarter start plus controls; standard errors clustered by customer (a customer is in up to
one cohort per quarter, so rows of one customer are not independent)."""
from __future__ import annotations

from typing import Literal

import pandas as pd
import statsmodels.api as sm

from attribution.cohorts import check_cohorts, customer_groups, design_matrix
from attribution.fits import ModelFit, from_results

Horizon = Literal["next_quarter", "next_12_months"]
_FOLLOW_UP = {"next_quarter": "has_full_quarter", "next_12_months": "has_full_12_months"}


def fit_churn(cohorts: pd.DataFrame, horizon: Horizon) -> ModelFit:
    cohorts = check_cohorts(cohorts)
    rows = cohorts[cohorts[_FOLLOW_UP[horizon]]]
    if rows.empty:
        raise ValueError(f"churn {horizon}: expected customer quarters followed up for the whole {horizon}, found none")
    exog = design_matrix(rows)
    churned = rows[f"is_churned_{horizon}"].astype(float)
    groups = customer_groups(rows)
    results = sm.GLM(churned, exog, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    return from_results(
        results,
        exog,
        model=f"churn_{horizon}",
        outcome=f"customer churned within the {horizon.replace('_', ' ')} after the quarter start",
        method="logistic regression (binomial GLM, logit link), standard errors clustered by customer",
        effect_measure="odds ratio",
        n_customers=int(groups.max()) + 1,
        fit_statistic="mcfadden_pseudo_r2",
        fit_value=float(results.pseudo_rsquared(kind="mcf")),
    )
