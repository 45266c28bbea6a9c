"""The value marts on a synthetic world, and the asset that writes them into the warehouse."""
from __future__ import annotations

import math

import dagster as dg
import duckdb
import pandas as pd
import pytest

from attribution.cohorts import CATEGORIES
from attribution.fits import Z_95
from orchestration.attribution import ATTRIBUTION_TABLES, COHORTS_RELATION, customer_value_models
from orchestration.resources import NpsSettings
from tests.conftest import write_config

pytestmark = pytest.mark.slow


@pytest.fixture
def world(effect_world):
    return effect_world


@pytest.fixture
def tables(effect_world_tables) -> dict[str, pd.DataFrame]:
    return effect_world_tables


def test_customer_value_by_nps_counts_and_averages_the_cohorts_per_category(world, tables):
    cohorts = world.cohorts
    by_nps = tables["customer_value_by_nps"].set_index("nps_category")
    followed = cohorts[cohorts["has_full_12_months"]].groupby("nps_category")
    assert list(by_nps.index) == list(CATEGORIES)
    assert by_nps["customers"].to_dict() == cohorts.groupby("nps_category")["customer_id"].nunique().to_dict()
    assert by_nps["customer_quarters"].sum() == len(cohorts)
    assert by_nps["churn_rate_12_months"].to_dict() == pytest.approx(followed["is_churned_next_12_months"].mean().to_dict())
    assert by_nps["average_revenue_12_months"].to_dict() == pytest.approx(followed["revenue_next_12_months"].mean().to_dict())
    for measure in ("retention_12_months", "churn_rate_12_months", "average_revenue_12_months"):
        assert (by_nps[f"{measure}_ci_low"] < by_nps[measure]).all() and (by_nps[measure] < by_nps[f"{measure}_ci_high"]).all()
    # Planted: detractors churn more than promoters.
    assert by_nps.loc["detractor", "retention_12_months_ci_high"] < by_nps.loc["promoter", "retention_12_months_ci_low"]


def test_revenue_at_risk_splits_the_latest_quarters_annual_revenue_by_category(world, tables):
    cohorts = world.cohorts
    latest = cohorts[cohorts["quarter_start_date"] == cohorts["quarter_start_date"].max()]
    at_risk = tables["revenue_at_risk"].set_index("nps_category")
    annual = latest.groupby("nps_category")["revenue_previous_12_months"].sum()
    assert list(at_risk.index) == list(CATEGORIES)
    assert at_risk["as_of_date"].unique().tolist() == [latest["quarter_start_date"].iloc[0]]
    assert at_risk["annual_revenue"].to_dict() == pytest.approx(annual.to_dict())
    assert at_risk["revenue_share"].sum() == pytest.approx(1.0)
    assert at_risk["survey_coverage_of_revenue"].tolist() == pytest.approx([1 - at_risk.loc["not_rated", "revenue_share"]] * 4)
    low, expected, high = (at_risk[f"expected_churned_revenue_12_months{s}"] for s in ("_ci_low", "", "_ci_high"))
    assert ((0 < low) & (low < expected) & (expected < high) & (expected < at_risk["annual_revenue"])).all()


def test_nps_value_model_reports_every_coefficient_of_every_model(tables):
    model_table = tables["nps_value_model"]
    assert list(model_table.columns) == list(ATTRIBUTION_TABLES["nps_value_model"])
    assert model_table.groupby("model")["effect_measure"].first().to_dict() == {
        "churn_hazard": "hazard ratio",
        "churn_next_12_months": "odds ratio",
        "churn_next_quarter": "odds ratio",
        "detractor_to_promoter_value": "revenue difference per customer, 12 months",
        "revenue_next_12_months": "revenue ratio",
        "revenue_next_quarter": "revenue ratio",
    }
    churn = model_table[model_table["model"] == "churn_next_quarter"].set_index("term")
    assert churn.index[:4].tolist() == [
        "intercept", "nps_category[passive]", "nps_category[detractor]", "nps_category[not_rated]",
    ]  # fmt: skip
    assert churn["is_category_term"].sum() == 3
    detractor = churn.loc["nps_category[detractor]"]
    assert detractor["effect"] == pytest.approx(math.exp(detractor["coefficient"]))
    assert detractor["effect_ci_low"] == pytest.approx(math.exp(detractor["coefficient"] - Z_95 * detractor["std_error"]))


def _warehouse_with_cohorts(tmp_path, cohorts: pd.DataFrame):
    config = write_config(tmp_path, {"warehouse": {"type": "duckdb", "path": "warehouse.duckdb"}})
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema customers")
        con.register("cohorts", cohorts)
        con.execute(f"create table {COHORTS_RELATION} as select * from cohorts")
    return config


def _read(tmp_path, sql: str) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_asset_writes_the_value_tables_into_marts(tmp_path, world, tables):
    config = _warehouse_with_cohorts(tmp_path, world.cohorts)

    result = dg.materialize([customer_value_models], resources={"nps": NpsSettings(config_path=str(config))})

    assert result.success
    assert _read(tmp_path, "select nps_category from marts.customer_value_by_nps") == [(c,) for c in CATEGORIES]
    assert _read(tmp_path, "select count(distinct model) from marts.nps_value_model") == [(6,)]
    columns = _read(
        tmp_path,
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'revenue_at_risk' order by ordinal_position",
    )
    assert [(c, t) for _, c, t in columns][:3] == [("nps_category", "VARCHAR"), ("as_of_date", "DATE"), ("customers", "BIGINT")]
    metadata = result.asset_materializations_for_node("customer_value_models")
    assert {m.asset_key.path[-1]: m.metadata["rows"].value for m in metadata} == {
        "customer_value_by_nps": 4, "nps_value_model": len(tables["nps_value_model"]), "revenue_at_risk": 4,
    }  # fmt: skip


def test_without_customers_the_asset_writes_empty_value_tables_and_says_why(tmp_path, world):
    config = _warehouse_with_cohorts(tmp_path, world.cohorts.iloc[:0])

    result = dg.materialize([customer_value_models], resources={"nps": NpsSettings(config_path=str(config))})

    assert result.success
    for name in ATTRIBUTION_TABLES:
        assert _read(tmp_path, f"select count(*) from marts.{name}") == [(0,)]
    reasons = {m.metadata["not_fitted_reason"].value for m in result.asset_materializations_for_node("customer_value_models")}
    assert reasons == {"no customer quarters (no CRM customers, or no ratings and deals to date them)"}
