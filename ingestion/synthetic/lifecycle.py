"""Customer lifecycle: quarterly churn (with the planted NPS-category effect) and new arrivals."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ingestion.synthetic.scores import CATEGORIES

CHURN_FORMULA = (
    "per calendar quarter, for each customer active at the quarter start and created before it: "
    "logit(P(churn in quarter)) = intercept + business*[customer_type=business] "
    "+ first_year*[tenure at quarter start < 1 year] + category_effect[category]; "
    "category = category of the customer's latest response (any survey type) responded before the "
    "quarter start, 'none' if never rated; the churn moment is uniform over the quarter. Customers "
    "created during a quarter cannot churn before the next quarter."
)


@dataclass(frozen=True)
class ChurnModel:
    effect_scale: float = 1.0
    intercept: float = -3.5
    business: float = -0.5
    first_year: float = 0.4
    # At effect_scale 1; the generator multiplies these by effect_scale. Promoter is the reference.
    category_effect_unscaled: dict[str, float] = field(
        default_factory=lambda: {"none": 0.3, "detractor": 1.0, "passive": 0.35, "promoter": 0.0}
    )

    @property
    def category_effect(self) -> dict[str, float]:
        return {c: self.effect_scale * v for c, v in self.category_effect_unscaled.items()}

    def quarterly_probability(
        self, is_business: np.ndarray, tenure_years: np.ndarray, category: np.ndarray
    ) -> np.ndarray:
        effects = np.array([self.category_effect[c] for c in CATEGORIES])
        logit = (
            self.intercept
            + self.business * is_business
            + self.first_year * (tenure_years < 1.0)
            + effects[category]
        )
        return 1.0 / (1.0 + np.exp(-logit))

    def reference_monthly_rate(self, is_business: bool) -> float:
        """Expected monthly churn of tenured customers with a typical category mix; sizes inflow."""
        categories = np.array([CATEGORIES.index(c) for c in ("detractor", "passive", "promoter")])
        mix = np.array([0.22, 0.30, 0.48])
        quarterly = self.quarterly_probability(np.full(3, is_business), np.full(3, 2.0), categories)
        return float(quarterly @ mix) / 3


def arrivals_expected(target_active: int, active_now: int, monthly_churn: float) -> float:
    """New customers of one type expected this month: the reference churn plus the gap to the
    target size (negative when above it), so the active base stays near `target_active` whatever
    the actual churn."""
    return max(0.0, target_active * (1.0 + monthly_churn) - active_now)
