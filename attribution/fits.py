"""A fitted model as the marts report it: coefficients with cluster-robust intervals, p-values and
a joint test of the NPS-category terms."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from attribution.cohorts import COMPARED_CATEGORIES, category_term

Z_95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class ModelFit:
    model: str  # e.g. churn_next_quarter
    outcome: str  # what is modelled, in words
    method: str  # estimator and standard errors, in words
    effect_measure: str  # what exp(coefficient) is: odds ratio, revenue ratio, hazard ratio
    params: pd.Series
    cov: pd.DataFrame  # cluster-robust covariance of params
    n_observations: int
    n_customers: int
    fit_statistic: str
    fit_value: float
    result: Any  # the statsmodels results, for predictions

    @property
    def category_terms(self) -> list[str]:
        return [category_term(c) for c in COMPARED_CATEGORIES if category_term(c) in self.params.index]

    def category_p_value(self) -> float:
        """Joint Wald test that every category term is zero (chi-square, cluster-robust)."""
        terms = self.category_terms
        estimate = self.params[terms].to_numpy()
        statistic = float(estimate @ np.linalg.solve(self.cov.loc[terms, terms].to_numpy(), estimate))
        return float(stats.chi2.sf(statistic, df=len(terms)))

    def terms(self) -> pd.DataFrame:
        """One row per coefficient: estimate, standard error, exp(estimate) with its 95 % interval,
        two-sided p-value (normal reference, as for every cluster-robust fit here)."""
        se = np.sqrt(np.diag(self.cov.to_numpy()))
        coefficient = self.params.to_numpy()
        return pd.DataFrame(
            {
                "term": self.params.index,
                "coefficient": coefficient,
                "std_error": se,
                "effect": np.exp(coefficient),
                "effect_ci_low": np.exp(coefficient - Z_95 * se),
                "effect_ci_high": np.exp(coefficient + Z_95 * se),
                "p_value": 2 * stats.norm.sf(np.abs(coefficient / se)),
            }
        )

    def effect_interval(self, term: str) -> tuple[float, float, float]:
        """exp(coefficient) of a term and its 95 % interval."""
        row = self.terms().set_index("term").loc[term]
        return float(row["effect"]), float(row["effect_ci_low"]), float(row["effect_ci_high"])


def from_results(results: Any, exog: pd.DataFrame, **fields: Any) -> ModelFit:
    names = list(exog.columns)
    return ModelFit(
        params=pd.Series(np.asarray(results.params), index=names),
        cov=pd.DataFrame(np.asarray(results.cov_params()), index=names, columns=names),
        n_observations=len(exog),
        result=results,
        **fields,
    )
