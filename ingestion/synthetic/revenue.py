"""Revenue: each customer's base subscription value and the quarterly deals booked against it."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ingestion.synthetic.organisation import PRODUCT_CODES
from ingestion.synthetic.scores import CATEGORIES

REVENUE_FORMULA = (
    "one closed-won deal per customer per calendar quarter: at the quarter start (closed within "
    "3 days) for every customer active then and created before it (renewal), amount = "
    "3 * base_monthly * exp(category_effect[category] + tenure_growth_per_year * "
    "min(tenure_years, tenure_cap_years) + noise), noise ~ N(0, quarter_noise_sd), category as in "
    "the churn model (latest rating before the quarter start, 'none' if never rated); and at "
    "sign-up (new business), amount = base_monthly * calendar months left in the quarter "
    "including the sign-up month. base_monthly = consumer_monthly[product] * "
    "lognormal(0, customer_sd) for consumers, times business_multiplier * "
    "(1 + size_employees) ** business_size_exponent for business customers."
)


@dataclass(frozen=True)
class RevenueModel:
    effect_scale: float = 1.0
    consumer_monthly: dict[str, float] = field(
        default_factory=lambda: {
            "internet": 45.0, "mobile": 25.0, "tv": 30.0, "energy": 120.0, "insurance": 35.0,
        }
    )
    customer_sd: float = 0.25
    business_multiplier: float = 1.4
    business_size_exponent: float = 0.6
    tenure_growth_per_year: float = 0.03
    tenure_cap_years: float = 3.0
    quarter_noise_sd: float = 0.05
    # Log-multipliers at effect_scale 1; the generator multiplies them by effect_scale.
    category_effect_unscaled: dict[str, float] = field(
        default_factory=lambda: {
            "none": -0.03, "detractor": -0.12, "passive": -0.04, "promoter": 0.0,
        }
    )

    @property
    def category_effect(self) -> dict[str, float]:
        return {c: self.effect_scale * v for c, v in self.category_effect_unscaled.items()}

    def base_monthly(
        self,
        is_business: np.ndarray,
        product: np.ndarray,
        size: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        per_product = np.array([self.consumer_monthly[p] for p in PRODUCT_CODES])
        base = per_product[product] * rng.lognormal(0.0, self.customer_sd, len(product))
        business = self.business_multiplier * (1.0 + size) ** self.business_size_exponent
        return np.where(is_business, base * business, base)

    def renewal_amount(
        self,
        base_monthly: np.ndarray,
        tenure_years: np.ndarray,
        category: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        effects = np.array([self.category_effect[c] for c in CATEGORIES])
        log_multiplier = (
            effects[category]
            + self.tenure_growth_per_year * np.minimum(tenure_years, self.tenure_cap_years)
            + rng.normal(0.0, self.quarter_noise_sd, len(base_monthly))
        )
        return 3.0 * base_monthly * np.exp(log_multiplier)
