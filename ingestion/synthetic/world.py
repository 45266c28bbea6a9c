"""Everything about a world that does not change over time: its models, staff and size."""
from __future__ import annotations

from dataclasses import dataclass

from ingestion.synthetic.comments import CommentModel
from ingestion.synthetic.customers import CUSTOMER_TYPES, CustomerMix
from ingestion.synthetic.identity import IdentityNoise
from ingestion.synthetic.lifecycle import ChurnModel
from ingestion.synthetic.organisation import Employees
from ingestion.synthetic.revenue import RevenueModel
from ingestion.synthetic.scores import ScoreModel
from ingestion.synthetic.spec import WorldSpec
from ingestion.synthetic.surveys import SurveyDesign


@dataclass(frozen=True)
class World:
    spec: WorldSpec
    scores: ScoreModel
    churn: ChurnModel
    revenue: RevenueModel
    surveys: SurveyDesign
    mix: CustomerMix
    comments: CommentModel
    identity: IdentityNoise
    employees: Employees
    # Per customer type (consumer, business): the active base size the inflow of new customers
    # maintains, and the reference churn rate that sizes the inflow.
    target_active: tuple[int, int]
    monthly_churn: tuple[float, float]

    @classmethod
    def build(cls, spec: WorldSpec) -> World:
        surveys = SurveyDesign()
        mix = CustomerMix()
        # Sized with the effects at scale 1, so every effect_scale starts from the same customers.
        reference = ChurnModel()
        monthly_churn = (
            reference.reference_monthly_rate(False),
            reference.reference_monthly_rate(True),
        )
        share = (1 - mix.business_share, mix.business_share)
        per_customer_month = sum(
            share[k] * surveys.responses_per_customer_month(name, monthly_churn[k])
            for k, name in enumerate(CUSTOMER_TYPES)
        )
        total = max(50, round(spec.responses / (spec.months * per_customer_month)))
        return cls(
            spec=spec,
            scores=ScoreModel(),
            churn=ChurnModel(effect_scale=spec.effect_scale),
            revenue=RevenueModel(effect_scale=spec.effect_scale),
            surveys=surveys,
            mix=mix,
            comments=CommentModel(),
            identity=IdentityNoise(),
            employees=Employees.generate(spec, surveys.process_probabilities * surveys.surveyed),
            target_active=(total - round(total * share[1]), round(total * share[1])),
            monthly_churn=monthly_churn,
        )
