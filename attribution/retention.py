"""Retention: Kaplan-Meier curves per category (time from the quarter start to churn, censored at
12 months or where the data ends) and a Cox model in which the category is a time-varying covariate:
each customer quarter is one interval (from the quarter start to churn or the quarter end) carrying
the category as of its start."""
from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight

from attribution.cohorts import check_cohorts, design_matrix
from attribution.fits import Z_95, ModelFit, from_results

YEAR_DAYS = 365.0


def retention_curve(cohorts: pd.DataFrame, category: str) -> pd.DataFrame:
    """Kaplan-Meier retention of the customer quarters in `category`: one row per churn time (days
    since the quarter start) with retention and a pointwise 95 % interval (log-log transform of
    Greenwood's variance). Quarters of one customer overlap, so the interval is somewhat narrow."""
    cohorts = check_cohorts(cohorts)
    rows = cohorts[cohorts["nps_category"] == category]
    if rows.empty:
        return pd.DataFrame(columns=["days", "retention", "ci_low", "ci_high"])
    fit = SurvfuncRight(rows["follow_up_days"].astype(float), rows["is_churn_observed"].astype(float))
    retention, se = np.asarray(fit.surv_prob), np.asarray(fit.surv_prob_se)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_log = np.log(-np.log(retention))
        spread = Z_95 * se / (retention * np.abs(np.log(retention)))
        low, high = np.exp(-np.exp(log_log + spread)), np.exp(-np.exp(log_log - spread))
    return pd.DataFrame(
        {
            "days": np.asarray(fit.surv_times),
            "retention": retention,
            "ci_low": np.where(retention < 1, low, 1.0),
            "ci_high": np.where(retention < 1, high, 1.0),
        }
    )


def retention_at(curve: pd.DataFrame, days: float) -> tuple[float, float, float]:
    """Retention and interval at `days` (1 before the first churn; NaN when nobody is followed that long)."""
    before = curve[curve["days"] <= days]
    if before.empty:
        return (1.0, 1.0, 1.0) if not curve.empty else (np.nan, np.nan, np.nan)
    last = before.iloc[-1]
    return float(last["retention"]), float(last["ci_low"]), float(last["ci_high"])


def quarter_intervals(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Days from the quarter start to churn inside the quarter (status 1), or to the quarter end or
    where the data ends (status 0), for each customer quarter."""
    start = pd.to_datetime(cohorts["quarter_start_date"])
    quarter_days = ((start + pd.DateOffset(months=3)) - start).dt.days.astype(float)
    length = np.minimum(cohorts["follow_up_days"].astype(float), quarter_days)
    churned = cohorts["is_churned_next_quarter"] & cohorts["is_churn_observed"]
    return pd.DataFrame({"days": length, "status": churned.astype(float)}, index=cohorts.index)


def fit_cox(cohorts: pd.DataFrame) -> ModelFit:
    cohorts = check_cohorts(cohorts)
    rows = cohorts[cohorts["follow_up_days"].astype(float) > 0]
    intervals = quarter_intervals(rows)
    exog = design_matrix(rows, intercept=False)
    # Stratified by quarter: each quarter's customers form their own risk sets, which is the
    # calendar-time model with the category updated at every quarter start. A customer's quarters
    # are consecutive, non-overlapping pieces of one counting process (Andersen-Gill), so the
    # model-based covariance applies; statsmodels' clustered one is quadratic in the rows.
    model = PHReg(
        intervals["days"], exog, status=intervals["status"], strata=pd.factorize(rows["quarter_start_date"])[0]
    )
    results = model.fit()
    return from_results(
        results,
        exog,
        model="churn_hazard",
        outcome="time to churn, category as of each quarter start (time-varying)",
        method="Cox proportional hazards stratified by quarter (Breslow ties), counting-process (Andersen-Gill) standard errors",
        effect_measure="hazard ratio",
        n_customers=int(rows["customer_id"].nunique()),
        fit_statistic="log_likelihood",
        fit_value=float(results.llf),
    )

