"""truth.json: the data-generating process as the generator uses it, and truths derived from it."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from ingestion.synthetic.comments import THEMES
from ingestion.synthetic.customers import BUSINESS, CUSTOMER_TYPES, Population
from ingestion.synthetic.lifecycle import CHURN_FORMULA
from ingestion.synthetic.organisation import PROCESS_CODES, PRODUCT_CODES
from ingestion.synthetic.revenue import REVENUE_FORMULA
from ingestion.synthetic.scores import CATEGORIES
from ingestion.synthetic.spec import SIMULATION_EPOCH, window_bounds
from ingestion.synthetic.world import World

FORMAT_VERSION = 1


def _round(value: Any) -> Any:
    """Round floats (recursively) so the document is stable and readable."""
    if isinstance(value, float | np.floating):
        return round(float(value), 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    return value


def truth(world: World, population: Population, table_rows: dict[str, int]) -> dict[str, Any]:
    spec = world.spec
    scores, churn, revenue, surveys = world.scores, world.churn, world.revenue, world.surveys
    employees = world.employees
    employee_ids = employees.ids()
    process_workload = np.bincount(employees.process, employees.workload)
    workload_share = employees.workload / process_workload[employees.process]
    document = {
        "format_version": FORMAT_VERSION,
        "spec": {
            "seed": spec.seed,
            "responses": spec.responses,
            "end_date": spec.end_date.isoformat(),
            "months": spec.months,
            "effect_scale": spec.effect_scale,
        },
        "window": {
            "start": spec.window_start.isoformat(),
            "end": spec.end_date.isoformat(),
            "note": "both days inclusive; all timestamps UTC",
            "simulation_start": spec.simulation_start.isoformat(),
            "simulation_epoch": SIMULATION_EPOCH.isoformat(),
        },
        "rows": table_rows,
        "population": {
            "target_active_customers": dict(zip(CUSTOMER_TYPES, world.target_active)),
            "inflow": "new customers per month and type ~ Poisson(max(0, target * (1 + "
            "reference_monthly_churn) - active at month start) * days_in_month / 30.4375), "
            "created uniformly over the month",
            "reference_monthly_churn": dict(zip(CUSTOMER_TYPES, world.monthly_churn)),
            "customer_mix": asdict(world.mix),
        },
        "score_model": {
            "formula": "latent = customer_latent + product_effect[product] "
            "+ process_effect[process] + employee_effect[employee] + noise (transactional); "
            "latent = customer_latent + "
            "product_effect[product] + relational_offset + noise (relational); customer_latent ~ "
            "N(0, customer_sd) fixed per customer, noise ~ N(0, noise_sd) per response; score = "
            "number of cutpoints <= latent (0..10); detractor 0-6, passive 7-8, promoter 9-10",
            "customer_sd": scores.customer_sd,
            "noise_sd": scores.noise_sd,
            "relational_offset": scores.relational_offset,
            "product_effect": scores.product_effect,
            "process_effect": scores.process_effect,
            "baseline_distribution": list(scores.baseline_distribution),
            "cutpoints": scores.cutpoints.tolist(),
            "employee_effect": {
                employee_ids[i]: {
                    "process": PROCESS_CODES[employees.process[i]],
                    "effect": float(employees.effect[i]),
                    "tier": employees.tier[i],
                    "workload_share": float(workload_share[i]),
                }
                for i in np.argsort(employees.number)
            },
        },
        "surveys": {
            **asdict(surveys),
            "answered_share_of_everyday_interactions": surveys.answered_share,
            "notes": "everyday interactions per customer form a Poisson process; process and "
            "channel are independent draws; a purchase interaction at sign-up and a cancellation "
            "interaction at churn are surveyed and answered with the same shares; transactional "
            "responses carry process and employee, relational ones neither",
        },
        "comments": {
            **asdict(world.comments),
            "themes": list(THEMES),
            "language": "per customer: Dutch with probability customer_mix.dutch_share[type], else "
            "English; the comment is written in the response's language",
        },
        "identity": {
            **asdict(world.identity),
            "notes": "customer_id rows also carry contact_id and interaction_id (transactional); "
            "e-mail-only rows carry the address of the responding CRM contact; the rest carry "
            "nothing or an address absent from the CRM",
        },
        "churn": {
            "formula": CHURN_FORMULA,
            "intercept": churn.intercept,
            "business": churn.business,
            "first_year": churn.first_year,
            "category_effect": churn.category_effect,
            "category_effect_at_effect_scale_1": churn.category_effect_unscaled,
        },
        "revenue": {
            "formula": REVENUE_FORMULA,
            **{
                k: v
                for k, v in asdict(revenue).items()
                if k not in ("category_effect_unscaled", "effect_scale")
            },
            "category_effect": revenue.category_effect,
            "category_effect_at_effect_scale_1": revenue.category_effect_unscaled,
        },
        "derived": _derived(world, population),
    }
    return _round(document)


def _derived(world: World, population: Population) -> dict[str, Any]:
    churn, revenue = world.churn, world.revenue
    per_type = {}
    for code, type_name in enumerate(CUSTOMER_TYPES):
        probability = churn.quarterly_probability(
            np.full(len(CATEGORIES), code == BUSINESS), np.full(len(CATEGORIES), 2.0),
            np.arange(len(CATEGORIES)),
        )
        quarterly = dict(zip(CATEGORIES, probability.tolist()))
        twelve_months = {c: 1 - (1 - p) ** 4 for c, p in quarterly.items()}
        odds = {c: p / (1 - p) for c, p in twelve_months.items()}
        # Deals are booked at each quarter start while still a customer: survival to quarter k.
        revenue_12m = {
            c: np.exp(revenue.category_effect[c]) * sum((1 - quarterly[c]) ** k for k in range(4))
            for c in CATEGORIES
        }
        per_type[type_name] = {
            "quarterly_churn_probability": quarterly,
            "churn_12m_probability": twelve_months,
            "churn_12m_odds_ratio_detractor_vs_promoter": odds["detractor"] / odds["promoter"],
            "churn_12m_odds_ratio_passive_vs_promoter": odds["passive"] / odds["promoter"],
            "revenue_12m_ratio_detractor_vs_promoter": (
                revenue_12m["detractor"] / revenue_12m["promoter"]
            ),
            "revenue_12m_ratio_passive_vs_promoter": (
                revenue_12m["passive"] / revenue_12m["promoter"]
            ),
        }
    effects = revenue.category_effect
    return {
        "assumptions": "churn and revenue truths hold the category fixed for 12 months, for "
        "customers with more than a year of tenure; the quarterly churn odds ratio is "
        "exp(category effect) exactly for every customer",
        "quarterly_churn_odds_ratio_detractor_vs_promoter": float(
            np.exp(churn.category_effect["detractor"] - churn.category_effect["promoter"])
        ),
        "quarterly_churn_odds_ratio_passive_vs_promoter": float(
            np.exp(churn.category_effect["passive"] - churn.category_effect["promoter"])
        ),
        "deal_amount_ratio_detractor_vs_promoter": float(
            np.exp(effects["detractor"] - effects["promoter"])
        ),
        "deal_amount_ratio_passive_vs_promoter": float(
            np.exp(effects["passive"] - effects["promoter"])
        ),
        "by_customer_type": per_type,
        "expected_nps": _expected_nps(world, population, window_bounds(world.spec)[1] - 1),
    }


def _expected_nps(world: World, population: Population, moment: int) -> dict[str, Any]:
    """Expected NPS of transactional responses from the score model, by product and by process
    (other factors at their response mix), for the customers active at `moment`. Their latent
    satisfaction is taken as normal with its observed mean and sd: churn of detractors leaves a
    more satisfied base than the N(0, customer_sd) customers are drawn from."""
    scores, surveys, employees = world.scores, world.surveys, world.employees
    active = population.active_at(moment)
    kind = population["kind"][active]
    rate = np.array([surveys.interactions_per_month[t] for t in CUSTOMER_TYPES])[kind]
    latent = population["latent"][active].astype(float)
    customer_mean = float(np.average(latent, weights=rate))
    customer_sd = float(np.sqrt(np.average((latent - customer_mean) ** 2, weights=rate)))
    product_weight = np.bincount(
        population["product"][active], weights=rate, minlength=len(PRODUCT_CODES)
    )
    product_weight = product_weight / product_weight.sum()
    process_weight = surveys.process_probabilities * surveys.surveyed
    process_weight = process_weight / process_weight.sum()

    def nps(mean: float) -> float:
        return scores.expected_nps(mean, customer_mean, customer_sd)

    # nps[product, process], averaging over each process's employees by workload.
    table = np.zeros((len(PRODUCT_CODES), len(PROCESS_CODES)))
    for j in range(len(PROCESS_CODES)):
        staff = employees.process == j
        share = employees.workload[staff] / employees.workload[staff].sum()
        for i in range(len(PRODUCT_CODES)):
            base = scores.product_effects[i] + scores.process_effects[j]
            table[i, j] = sum(w * nps(base + e) for w, e in zip(share, employees.effect[staff]))
    return {
        "active_customers_latent": {
            "mean": customer_mean, "sd": customer_sd, "at": "end of window",
        },
        "overall_transactional": float(product_weight @ table @ process_weight),
        "by_product": dict(zip(PRODUCT_CODES, (table @ process_weight).tolist())),
        "by_process": dict(zip(PROCESS_CODES, (product_weight @ table).tolist())),
        "relational_by_product": {
            p: nps(scores.product_effects[i] + scores.relational_offset)
            for i, p in enumerate(PRODUCT_CODES)
        },
    }
