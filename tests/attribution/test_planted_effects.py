"""The value models recover what the synthetic world planted. The quarterly models have the shape of
the generator's own model (truth.json: churn is a per-quarter logit with the category as of the
quarter start; the renewal booked at the quarter start is log-linear in the category), so their
95 % intervals must hold the planted detractor and passive effects against promoters. not_rated is
not compared: customers last rated before the data begins are not_rated here but rated in the world.
With effect_scale 0 nothing is planted and no model may find a category effect."""
from __future__ import annotations

import pytest

from attribution.churn import fit_churn
from attribution.cohorts import category_term
from attribution.revenue import fit_revenue_next_quarter
from attribution.summary import value_tables

pytestmark = pytest.mark.slow
EFFECT_SEEDS = (1, 2, 5)
NULL_SEED = 4


@pytest.mark.parametrize("seed", EFFECT_SEEDS)
def test_planted_churn_odds_ratios_lie_inside_the_95_percent_intervals(cohort_world, seed):
    world = cohort_world(seed, 1.0)
    derived = world.truth["derived"]
    fit = fit_churn(world.cohorts, "next_quarter")
    for category in ("detractor", "passive"):
        planted = derived[f"quarterly_churn_odds_ratio_{category}_vs_promoter"]
        estimate, low, high = fit.effect_interval(category_term(category))
        assert low <= planted <= high, f"seed {seed} {category}: planted {planted}, estimate {estimate} [{low}, {high}]"


@pytest.mark.parametrize("seed", EFFECT_SEEDS)
def test_planted_revenue_ratios_lie_inside_the_95_percent_intervals(cohort_world, seed):
    world = cohort_world(seed, 1.0)
    derived = world.truth["derived"]
    fit = fit_revenue_next_quarter(world.cohorts)
    for category in ("detractor", "passive"):
        planted = derived[f"deal_amount_ratio_{category}_vs_promoter"]
        estimate, low, high = fit.effect_interval(category_term(category))
        assert low <= planted <= high, f"seed {seed} {category}: planted {planted}, estimate {estimate} [{low}, {high}]"


def _category_p_values(model_table) -> dict[str, float]:
    """Joint test of the category terms per model (the value row repeats its source model's)."""
    return model_table.groupby("model")["category_p_value"].first().to_dict()


def test_without_planted_effects_no_model_finds_a_category_effect(cohort_world):
    world = cohort_world(NULL_SEED, 0.0)
    assert world.truth["churn"]["category_effect"] == {"none": 0.0, "detractor": 0.0, "passive": 0.0, "promoter": 0.0}
    assert world.truth["revenue"]["category_effect"] == {"none": 0.0, "detractor": 0.0, "passive": 0.0, "promoter": 0.0}
    model_table = value_tables(world.cohorts)["nps_value_model"]
    p_values = _category_p_values(model_table)
    assert len(p_values) == 6 and all(p > 0.05 for p in p_values.values()), p_values
    value = model_table.set_index("model").loc["detractor_to_promoter_value"]
    assert value["effect_ci_low"] < 0 < value["effect_ci_high"]


def test_with_planted_effects_every_model_finds_the_category_effect(effect_world_tables):
    model_table = effect_world_tables["nps_value_model"]
    p_values = _category_p_values(model_table)
    assert len(p_values) == 6 and all(p < 0.001 for p in p_values.values()), p_values
    value = model_table.set_index("model").loc["detractor_to_promoter_value"]
    assert 0 < value["effect_ci_low"] < value["effect"] < value["effect_ci_high"]
