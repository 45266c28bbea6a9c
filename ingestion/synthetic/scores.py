"""Score model: latent satisfaction -> 0..10 recommendation score -> NPS category."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from statistics import NormalDist

import numpy as np

from ingestion.synthetic.organisation import PROCESS_CODES, PRODUCT_CODES

# Category codes used throughout; NONE = the customer has not rated yet.
NONE, DETRACTOR, PASSIVE, PROMOTER = 0, 1, 2, 3
CATEGORIES = ("none", "detractor", "passive", "promoter")


@dataclass(frozen=True)
class ScoreModel:
    """latent = customer_latent + product_effect + process_effect + employee_effect (transactional)
    or customer_latent + product_effect + relational_offset (relational), plus noise;
    score = number of cutpoints <= latent."""

    customer_sd: float = 0.9  # customer_latent ~ N(0, customer_sd), fixed per customer
    noise_sd: float = 1.1  # per response
    relational_offset: float = -0.1
    product_effect: dict[str, float] = field(
        default_factory=lambda: {
            "internet": -0.10, "mobile": 0.15, "tv": -0.05, "energy": -0.30, "insurance": 0.25,
        }
    )
    process_effect: dict[str, float] = field(
        default_factory=lambda: {
            "purchase": 0.45, "onboarding": 0.15, "support_call": 0.0, "repair": -0.35,
            "billing": -0.25, "complaint": -1.10, "cancellation": -0.80,
        }
    )
    # P(score = k) at zero effects; the cutpoints reproduce it exactly. Lumpy at 8-10, a tail at 0.
    baseline_distribution: tuple[float, ...] = (
        0.035, 0.015, 0.02, 0.025, 0.025, 0.05, 0.055, 0.10, 0.19, 0.19, 0.295,
    )

    @property
    def latent_sd(self) -> float:
        return float(np.hypot(self.customer_sd, self.noise_sd))

    @cached_property
    def cutpoints(self) -> np.ndarray:
        below = np.cumsum(self.baseline_distribution)[:-1]
        normal = NormalDist(0.0, self.latent_sd)
        return np.array([normal.inv_cdf(float(p)) for p in below])

    @property
    def product_effects(self) -> np.ndarray:
        return np.array([self.product_effect[p] for p in PRODUCT_CODES])

    @property
    def process_effects(self) -> np.ndarray:
        return np.array([self.process_effect[p] for p in PROCESS_CODES])

    def scores(self, latent_mean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        latent = latent_mean + rng.normal(0.0, self.noise_sd, len(latent_mean))
        return np.searchsorted(self.cutpoints, latent, side="right").astype(np.int8)

    def expected_nps(self, mean: float, customer_mean: float, customer_sd: float) -> float:
        """Expected NPS (-100..100) of responses with latent mean `mean` (effects without the
        customer's own latent), for customers whose latent is N(customer_mean, customer_sd)."""
        sd = float(np.hypot(customer_sd, self.noise_sd))
        normal = NormalDist(mean + customer_mean, sd)
        cut = self.cutpoints
        return 100 * ((1 - normal.cdf(float(cut[8]))) - normal.cdf(float(cut[6])))


def category(scores: np.ndarray) -> np.ndarray:
    categories = np.where(scores >= 9, PROMOTER, np.where(scores >= 7, PASSIVE, DETRACTOR))
    return categories.astype(np.int8)
