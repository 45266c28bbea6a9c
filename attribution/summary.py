"""The value marts: customer_value_by_nps, nps_value_model and revenue_at_risk, with the value of
turning one detractor into a promoter."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from attribution.churn import fit_churn
from attribution.cohorts import CATEGORIES, category_term, check_cohorts, design_matrix
from attribution.fits import Z_95, ModelFit
from attribution.retention import YEAR_DAYS, fit_cox, retention_at, retention_curve
from attribution.revenue import fit_revenue_12_months, fit_revenue_next_quarter


@dataclass(frozen=True)
class Estimate:
    value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ValueModels:
    churn_next_quarter: ModelFit
    churn_next_12_months: ModelFit
    revenue_next_quarter: ModelFit
    revenue_next_12_months: ModelFit
    churn_hazard: ModelFit

    def all(self) -> list[ModelFit]:
        return [
            self.churn_next_quarter, self.churn_next_12_months, self.revenue_next_quarter,
            self.revenue_next_12_months, self.churn_hazard,
        ]  # fmt: skip


def fit_value_models(cohorts: pd.DataFrame) -> ValueModels:
    return ValueModels(
        churn_next_quarter=fit_churn(cohorts, "next_quarter"),
        churn_next_12_months=fit_churn(cohorts, "next_12_months"),
        revenue_next_quarter=fit_revenue_next_quarter(cohorts),
        revenue_next_12_months=fit_revenue_12_months(cohorts),
        churn_hazard=fit_cox(cohorts),
    )


def clustered_mean(values: pd.Series, customers: pd.Series) -> Estimate:
    """Mean with a 95 % interval from the cluster-robust (CR1) standard error, customers as clusters."""
    values = values.astype(float)
    n = len(values)
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan)
    mean = float(values.mean())
    cluster_sums = (values - mean).groupby(customers.to_numpy()).sum()
    clusters = len(cluster_sums)
    if clusters < 2:
        return Estimate(mean, np.nan, np.nan)
    se = float(np.sqrt(clusters / (clusters - 1) * (cluster_sums**2).sum()) / n)
    return Estimate(mean, mean - Z_95 * se, mean + Z_95 * se)


def latest_quarter(cohorts: pd.DataFrame) -> pd.DataFrame:
    """The customers of the most recent quarter, as they stood at its start."""
    return cohorts[cohorts["quarter_start_date"] == cohorts["quarter_start_date"].max()]


def customer_value_by_nps(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Per category at the quarter start: customers and customer quarters, 12-month retention
    (Kaplan-Meier), 12-month churn rate and average 12-month revenue (quarters followed up for 12
    months), each with a 95 % interval."""
    cohorts = check_cohorts(cohorts)
    latest_categories = latest_quarter(cohorts)["nps_category"]
    rows = []
    for category in CATEGORIES:
        group = cohorts[cohorts["nps_category"] == category]
        followed = group[group["has_full_12_months"]]
        retention = retention_at(retention_curve(cohorts, category), YEAR_DAYS)
        churn = clustered_mean(followed["is_churned_next_12_months"], followed["customer_id"])
        revenue = clustered_mean(followed["revenue_next_12_months"], followed["customer_id"])
        rows.append(
            {
                "nps_category": category,
                "customers": int(group["customer_id"].nunique()),
                "customer_quarters": len(group),
                "customers_latest_quarter": int((latest_categories == category).sum()),
                "retention_12_months": retention[0],
                "retention_12_months_ci_low": retention[1],
                "retention_12_months_ci_high": retention[2],
                "churn_rate_12_months": churn.value,
                "churn_rate_12_months_ci_low": churn.ci_low,
                "churn_rate_12_months_ci_high": churn.ci_high,
                "average_revenue_12_months": revenue.value,
                "average_revenue_12_months_ci_low": revenue.ci_low,
                "average_revenue_12_months_ci_high": revenue.ci_high,
                "customer_quarters_followed_12_months": len(followed),
            }
        )
    return pd.DataFrame(rows)


def detractor_to_promoter_value(revenue_12_months: ModelFit, cohorts: pd.DataFrame) -> Estimate:
    """Expected 12-month revenue of the latest quarter's detractors had they been promoters, minus
    as detractors, per customer (the 12-month Tweedie model's predictions with every other
    characteristic as it is), with a delta-method 95 % interval."""
    detractors = latest_quarter(check_cohorts(cohorts))
    detractors = detractors[detractors["nps_category"] == "detractor"]
    if detractors.empty:
        return Estimate(np.nan, np.nan, np.nan)
    names = list(revenue_12_months.params.index)
    as_detractor = design_matrix(detractors, columns=names)
    as_promoter = as_detractor.assign(**{category_term("detractor"): 0.0})
    beta = revenue_12_months.params.to_numpy()
    promoter_mu = np.exp(as_promoter.to_numpy() @ beta)
    detractor_mu = np.exp(as_detractor.to_numpy() @ beta)
    value = float(np.mean(promoter_mu - detractor_mu))
    gradient = (promoter_mu[:, None] * as_promoter.to_numpy() - detractor_mu[:, None] * as_detractor.to_numpy()).mean(0)
    se = float(np.sqrt(gradient @ revenue_12_months.cov.to_numpy() @ gradient))
    return Estimate(value, value - Z_95 * se, value + Z_95 * se)


def nps_value_model(models: ValueModels, cohorts: pd.DataFrame) -> pd.DataFrame:
    """Every coefficient of every model, and the value of turning one detractor into a promoter."""
    frames = []
    for fit in models.all():
        terms = fit.terms()
        frames.append(
            terms.assign(
                model=fit.model,
                outcome=fit.outcome,
                method=fit.method,
                effect_measure=fit.effect_measure,
                is_category_term=terms["term"].isin(fit.category_terms),
                category_p_value=fit.category_p_value(),
                n_observations=fit.n_observations,
                n_customers=fit.n_customers,
                fit_statistic=fit.fit_statistic,
                fit_value=fit.fit_value,
            )
        )
    value = detractor_to_promoter_value(models.revenue_next_12_months, cohorts)
    source = models.revenue_next_12_months
    se = (value.ci_high - value.ci_low) / (2 * Z_95)
    frames.append(
        pd.DataFrame(
            [
                {
                    "term": "detractor_to_promoter",
                    "coefficient": np.nan,
                    "std_error": se,
                    "effect": value.value,
                    "effect_ci_low": value.ci_low,
                    "effect_ci_high": value.ci_high,
                    "p_value": float(2 * stats.norm.sf(abs(value.value / se))) if se > 0 else np.nan,
                    "model": "detractor_to_promoter_value",
                    "outcome": "12-month revenue per customer of the latest quarter's detractors as promoters minus as detractors",
                    "method": f"predictions of {source.model} ({source.method}), delta-method interval",
                    "effect_measure": "revenue difference per customer, 12 months",
                    "is_category_term": True,
                    "category_p_value": source.category_p_value(),
                    "n_observations": source.n_observations,
                    "n_customers": source.n_customers,
                    "fit_statistic": source.fit_statistic,
                    "fit_value": source.fit_value,
                }
            ]
        )
    )
    columns = [
        "model", "term", "is_category_term", "coefficient", "std_error", "effect_measure", "effect",
        "effect_ci_low", "effect_ci_high", "p_value", "category_p_value", "n_observations", "n_customers",
        "outcome", "method", "fit_statistic", "fit_value",
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True)[columns]


def revenue_at_risk(models: ValueModels, cohorts: pd.DataFrame) -> pd.DataFrame:
    """Per category of the latest quarter's customers: their revenue of the previous 12 months,
    its share of all revenue, the survey coverage of revenue (share from rated customers, the same
    on every row) and the revenue of those expected to churn within 12 months (12-month churn
    model, delta-method interval)."""
    cohorts = check_cohorts(cohorts)
    current = latest_quarter(cohorts)
    revenue = current["revenue_previous_12_months"].astype(float)
    fit = models.churn_next_12_months
    exog = design_matrix(current, columns=list(fit.params.index)).to_numpy()
    probability = 1 / (1 + np.exp(-(exog @ fit.params.to_numpy())))
    total = float(revenue.sum())
    rated = float(revenue[current["nps_category"] != "not_rated"].sum())
    rows = []
    for category in CATEGORIES:
        members = (current["nps_category"] == category).to_numpy()
        weights = revenue.fillna(0.0).to_numpy() * members
        expected = float(weights @ probability)
        gradient = (weights * probability * (1 - probability)) @ exog
        se = float(np.sqrt(gradient @ fit.cov.to_numpy() @ gradient))
        annual = float(revenue[members].sum())
        rows.append(
            {
                "nps_category": category,
                "as_of_date": current["quarter_start_date"].iloc[0],
                "customers": int(members.sum()),
                "customers_without_revenue_history": int(revenue[members].isna().sum()),
                "annual_revenue": annual,
                "revenue_share": annual / total if total else np.nan,
                "survey_coverage_of_revenue": rated / total if total else np.nan,
                "expected_churned_revenue_12_months": expected,
                "expected_churned_revenue_12_months_ci_low": expected - Z_95 * se,
                "expected_churned_revenue_12_months_ci_high": expected + Z_95 * se,
            }
        )
    return pd.DataFrame(rows)


def unfit_reason(cohorts: pd.DataFrame) -> str | None:
    """Why the value models cannot be fitted on this frame (None when they can): every outcome needs
    followed-up customer quarters, churners among them, and every category."""
    if cohorts.empty:
        return "no customer quarters (no CRM customers, or no ratings and deals to date them)"
    cohorts = check_cohorts(cohorts)
    for flag, churned, span in (
        ("has_full_quarter", "is_churned_next_quarter", "a quarter"),
        ("has_full_12_months", "is_churned_next_12_months", "12 months"),
    ):
        followed = cohorts[cohorts[flag]]
        missing = sorted(set(CATEGORIES) - set(followed["nps_category"]))
        if followed.empty or missing:
            return f"no customer quarters followed up for {span} in categories: {', '.join(missing)}"
        if not followed[churned].any():
            return f"no churn among the customer quarters followed up for {span}"
    return None


def value_tables(cohorts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three value marts from one cohort frame."""
    cohorts = check_cohorts(cohorts)
    models = fit_value_models(cohorts)
    return {
        "customer_value_by_nps": customer_value_by_nps(cohorts),
        "nps_value_model": nps_value_model(models, cohorts),
        "revenue_at_risk": revenue_at_risk(models, cohorts),
    }
