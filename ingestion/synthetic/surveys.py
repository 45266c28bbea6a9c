"""Survey programs: who is asked, through which channel and tool, and who answers."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ingestion.synthetic.organisation import PROCESS_CODES

TRANSACTIONAL, RELATIONAL = 0, 1
SURVEY_TYPES = ("transactional", "relational")
CHANNELS = ("email", "sms", "web", "app", "phone")
SURVEY_TOOLS = ("qualtrics", "surveymonkey", "typeform", "delighted", "csv")


@dataclass(frozen=True)
class SurveyDesign:
    # Everyday interactions per active customer per average month (30.44 days); a purchase at
    # sign-up and a cancellation at churn come on top.
    interactions_per_month: dict[str, float] = field(
        default_factory=lambda: {"consumer": 0.7, "business": 1.6}
    )
    process_mix: dict[str, float] = field(
        default_factory=lambda: {
            "purchase": 0.09, "onboarding": 0.08, "support_call": 0.36, "repair": 0.14,
            "billing": 0.20, "complaint": 0.09, "cancellation": 0.04,
        }
    )
    surveyed_share: dict[str, float] = field(
        default_factory=lambda: {
            "purchase": 0.9, "onboarding": 0.9, "support_call": 0.85, "repair": 0.85,
            "billing": 0.8, "complaint": 0.9, "cancellation": 0.7,
        }
    )
    transactional_channel_mix: dict[str, float] = field(
        default_factory=lambda: {
            "email": 0.40, "sms": 0.25, "web": 0.10, "app": 0.15, "phone": 0.10,
        }
    )
    transactional_response_rate: dict[str, float] = field(
        default_factory=lambda: {
            "email": 0.22, "sms": 0.27, "web": 0.24, "app": 0.30, "phone": 0.20,
        }
    )
    relational_sample_share: float = 0.125  # of customers active at the quarter start
    relational_send_window_days: int = 45  # invitations go out over the quarter's first days
    relational_channel_mix: dict[str, float] = field(
        default_factory=lambda: {"email": 0.70, "web": 0.15, "app": 0.15}
    )
    relational_response_rate: dict[str, float] = field(
        default_factory=lambda: {"email": 0.28, "web": 0.32, "app": 0.38}
    )
    # Time from interaction (or invitation) to answer: lognormal around a per-channel median.
    median_response_delay_hours: dict[str, float] = field(
        default_factory=lambda: {"email": 5.0, "sms": 1.0, "web": 3.0, "app": 0.5, "phone": 0.1}
    )
    response_delay_sigma: float = 1.2
    max_response_delay_hours: float = 120.0
    # Each survey program runs in one tool; keys are "transactional:<process>" and "relational".
    tool_by_program: dict[str, str] = field(
        default_factory=lambda: {
            "transactional:purchase": "delighted",
            "transactional:onboarding": "typeform",
            "transactional:support_call": "qualtrics",
            "transactional:repair": "typeform",
            "transactional:billing": "surveymonkey",
            "transactional:complaint": "csv",
            "transactional:cancellation": "csv",
            "relational": "delighted",
        }
    )

    def vector(self, values: dict[str, float], keys: tuple[str, ...]) -> np.ndarray:
        return np.array([values.get(k, 0.0) for k in keys])

    @property
    def surveyed(self) -> np.ndarray:
        return self.vector(self.surveyed_share, PROCESS_CODES)

    @property
    def process_probabilities(self) -> np.ndarray:
        mix = self.vector(self.process_mix, PROCESS_CODES)
        return mix / mix.sum()

    @property
    def channel_probabilities(self) -> np.ndarray:
        mix = self.vector(self.transactional_channel_mix, CHANNELS)
        return mix / mix.sum()

    @property
    def response_rates(self) -> np.ndarray:
        return self.vector(self.transactional_response_rate, CHANNELS)

    @property
    def answered_share(self) -> float:
        """P(an everyday interaction is surveyed and answered); channel and process independent."""
        return float(self.process_probabilities @ self.surveyed) * float(
            self.channel_probabilities @ self.response_rates
        )

    @property
    def relational_channel_probabilities(self) -> np.ndarray:
        mix = self.vector(self.relational_channel_mix, CHANNELS)
        return mix / mix.sum()

    @property
    def relational_response_rates(self) -> np.ndarray:
        return self.vector(self.relational_response_rate, CHANNELS)

    def responses_per_customer_month(self, customer_type: str, monthly_churn: float) -> float:
        everyday = self.interactions_per_month[customer_type] * self.answered_share
        relational = self.relational_sample_share * float(
            self.relational_channel_probabilities @ self.relational_response_rates
        ) / 3
        # In a stable base each churner is replaced by a newcomer: a purchase and a cancellation.
        per_lifecycle_event = float(self.channel_probabilities @ self.response_rates)
        lifecycle = monthly_churn * per_lifecycle_event * (
            self.surveyed_share["purchase"] + self.surveyed_share["cancellation"]
        )
        return everyday + relational + lifecycle

    def response_delay_seconds(self, channel: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        median = self.vector(self.median_response_delay_hours, CHANNELS)[channel]
        hours = np.minimum(
            median * rng.lognormal(0.0, self.response_delay_sigma, len(channel)),
            self.max_response_delay_hours,
        )
        return np.ceil(hours * 3600).astype(np.int64)

    @property
    def transactional_tools(self) -> np.ndarray:
        """Survey tool code per process."""
        return np.array(
            [SURVEY_TOOLS.index(self.tool_by_program[f"transactional:{p}"]) for p in PROCESS_CODES],
            dtype=np.int8,
        )

    @property
    def relational_tool(self) -> int:
        return SURVEY_TOOLS.index(self.tool_by_program["relational"])
