"""truth.json states the planted effects exactly as generated, and the data carries them."""
from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from ingestion.synthetic import WorldSpec

SPEC = WorldSpec(seed=3, responses=30_000, end_date=date(2025, 12, 31), months=24)


@pytest.fixture
def effect_world(written):
    return written(SPEC)


@pytest.fixture
def null_world(written):
    return written(replace(SPEC, effect_scale=0.0))


def _truth(world) -> dict:
    return json.loads(world.summary.truth_path.read_text(encoding="utf-8"))


def test_effect_scale_zero_writes_zero_category_effects(null_world):
    truth = _truth(null_world)
    assert truth["spec"]["effect_scale"] == 0.0
    assert set(truth["churn"]["category_effect"].values()) == {0.0}
    assert set(truth["revenue"]["category_effect"].values()) == {0.0}
    derived = truth["derived"]
    assert derived["quarterly_churn_odds_ratio_detractor_vs_promoter"] == 1.0
    assert derived["deal_amount_ratio_detractor_vs_promoter"] == 1.0
    for per_type in derived["by_customer_type"].values():
        assert per_type["churn_12m_odds_ratio_detractor_vs_promoter"] == 1.0
        assert per_type["revenue_12m_ratio_detractor_vs_promoter"] == 1.0
    # the effects at scale 1 stay documented, and everything not about NPS categories is unchanged
    assert truth["churn"]["category_effect_at_effect_scale_1"]["detractor"] > 0
    assert truth["churn"]["business"] < 0


def test_effects_scale_linearly_and_derived_truths_follow_the_formulas(write):
    truth = _truth(write(replace(SPEC, responses=3_000, effect_scale=2.0), "double"))
    churn, revenue = truth["churn"], truth["revenue"]
    for category, effect in churn["category_effect_at_effect_scale_1"].items():
        assert churn["category_effect"][category] == 2 * effect
    for category, effect in revenue["category_effect_at_effect_scale_1"].items():
        assert revenue["category_effect"][category] == 2 * effect
    consumer = truth["derived"]["by_customer_type"]["consumer"]
    p = consumer["quarterly_churn_probability"]
    logit = churn["intercept"] + churn["category_effect"]["detractor"]
    assert math.isclose(p["detractor"], 1 / (1 + math.exp(-logit)), abs_tol=1e-5)
    twelve = consumer["churn_12m_probability"]
    assert math.isclose(twelve["promoter"], 1 - (1 - p["promoter"]) ** 4, abs_tol=1e-5)


def test_expected_nps_in_truth_matches_the_data(effect_world):
    truth = _truth(effect_world)
    responses = effect_world.responses()
    transactional = responses[responses["survey_type"] == "transactional"].copy()
    score = transactional["score"].astype(int)
    transactional["nps"] = (score >= 9) * 100.0 - (score <= 6) * 100.0
    expected = truth["derived"]["expected_nps"]
    assert abs(transactional["nps"].mean() - expected["overall_transactional"]) < 4
    by_product = transactional.groupby("product")["nps"].mean()
    for product, value in expected["by_product"].items():
        assert abs(by_product[product] - value) < 8, product


def _churn_ratio(world) -> float:
    """Of the customers active on 2025-01-01: churn share during 2025 of those whose latest rating
    before then was a detractor, over that of promoters."""
    responses = world.responses()
    before = responses["responded_at"] < "2025-01-01"
    rated = responses[(responses["customer_id"] != "") & before]
    latest = rated.drop_duplicates("customer_id", keep="last")[["customer_id", "score"]]
    customers = world.table("crm/customers.csv").merge(latest, on="customer_id")
    active = (customers["churned_at"] == "") | (customers["churned_at"] >= "2025-01-01")
    customers = customers[active]
    category = pd.cut(customers["score"].astype(int), [-1, 6, 8, 10], labels=["d", "p", "pr"])
    rate = (customers["churned_at"] != "").groupby(category, observed=True).mean()
    return rate["d"] / rate["pr"]


def test_planted_churn_effect_is_visible_in_the_data(effect_world):
    assert _churn_ratio(effect_world) > 1.4


def test_planted_churn_effect_vanishes_at_effect_scale_zero(null_world):
    assert 0.75 < _churn_ratio(null_world) < 1.3


def test_effect_scale_keeps_the_same_starting_customers_and_staff(effect_world, null_world):
    assert effect_world.hashes()["org/employees.csv"] == null_world.hashes()["org/employees.csv"]
    columns = ["customer_id", "customer_type", "name", "email", "product", "created_at"]
    effect = effect_world.table("crm/customers.csv")[columns]
    null = null_world.table("crm/customers.csv")[columns]
    # Customers present at the simulation start (2022-01-01) are the same people in both worlds.
    founders = effect[effect["created_at"] < "2022-01-01"]
    shared = founders.merge(null, on="customer_id", suffixes=("", "_null"))
    assert len(shared) > 0.8 * len(founders)
    for column in columns[1:]:
        assert (shared[column] == shared[f"{column}_null"]).all(), column
