"""The building blocks of the value models on frames small enough to work out by hand."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from attribution.cohorts import check_cohorts, design_matrix
from attribution.fits import Z_95
from attribution.retention import quarter_intervals, retention_at, retention_curve
from attribution.summary import clustered_mean, unfit_reason


def cohort_rows(*rows: dict) -> pd.DataFrame:
    """Cohort rows: a promoter consumer, followed up for a year without churn, unless a row says otherwise."""
    default = {
        "customer_id": "C1", "quarter_start_date": date(2025, 1, 1), "customer_type": "consumer", "product": "internet",
        "size_employees": None, "tenure_years": 2.0, "nps_category": "promoter", "revenue_next_quarter": 30.0,
        "revenue_next_12_months": 120.0, "revenue_previous_12_months": 120.0, "is_churned_next_quarter": False,
        "is_churned_next_12_months": False, "follow_up_days": 365.0, "is_churn_observed": False,
        "has_full_quarter": True, "has_full_12_months": True,
    }  # fmt: skip
    return pd.DataFrame([{**default, **row} for row in rows])


def test_a_cohort_frame_without_a_column_is_refused_with_the_missing_column():
    with pytest.raises(ValueError, match=r"^cohort frame: expected columns follow_up_days; found customer_id"):
        check_cohorts(cohort_rows({}).drop(columns="follow_up_days"))


def test_a_cohort_frame_with_an_unknown_category_is_refused_with_the_category():
    with pytest.raises(ValueError, match=r"nps_category must be one of promoter, passive, detractor, not_rated; found fan$"):
        check_cohorts(cohort_rows({"nps_category": "fan"}))


def test_a_cohort_frame_from_postgresql_gets_numbers_flags_and_dates_typed():
    raw = cohort_rows({"revenue_next_12_months": None, "quarter_start_date": "2025-01-01"}).astype(object)
    typed = check_cohorts(raw)
    assert typed["revenue_next_12_months"].isna().tolist() == [True]
    assert typed["revenue_next_quarter"].dtype == float and typed["has_full_quarter"].dtype == bool
    assert typed["quarter_start_date"].tolist() == [date(2025, 1, 1)]


def test_the_design_has_category_against_promoters_and_the_controls():
    cohorts = cohort_rows(
        {"nps_category": "promoter", "tenure_years": 0.5},
        {"nps_category": "passive", "tenure_years": 1.5, "customer_type": "business", "size_employees": 9},
        {"nps_category": "detractor", "tenure_years": 2.5, "product": "mobile"},
        {"nps_category": "not_rated", "tenure_years": 3.5, "product": "tv"},
        {"nps_category": "promoter", "tenure_years": 3.5},
    )
    design = design_matrix(cohorts)
    assert list(design.columns) == [
        "intercept", "nps_category[passive]", "nps_category[detractor]", "nps_category[not_rated]",
        "customer_type[business]", "product[mobile]", "product[tv]", "log_size_employees",
        "tenure[under_1_year]", "tenure[1_to_2_years]", "tenure[2_to_3_years]",
    ]  # fmt: skip
    assert design.iloc[1].tolist() == pytest.approx([1, 1, 0, 0, 1, 0, 0, 2.302585093, 0, 1, 0])
    # Predicting for other rows uses the fitted columns, whatever varies there.
    assert list(design_matrix(cohorts.iloc[[2]], columns=list(design.columns)).iloc[0]) == pytest.approx(
        [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1]
    )


def test_the_clustered_mean_treats_the_quarters_of_one_customer_as_one_cluster():
    estimate = clustered_mean(pd.Series([1.0, 0.0, 1.0, 1.0]), pd.Series(["a", "a", "b", "c"]))
    # Cluster sums of deviations from 0.75: -0.5, 0.25, 0.25; CR1 variance 3/2 * 0.375 / 4**2.
    assert estimate.value == 0.75
    assert estimate.ci_low == pytest.approx(0.75 - Z_95 * 0.1875)
    assert estimate.ci_high == pytest.approx(0.75 + Z_95 * 0.1875)


def test_kaplan_meier_retention_drops_at_each_churn_and_not_at_censoring():
    cohorts = cohort_rows(
        {"customer_id": "C1", "follow_up_days": 10.0, "is_churn_observed": True},
        {"customer_id": "C2", "follow_up_days": 20.0},
        {"customer_id": "C3", "follow_up_days": 30.0, "is_churn_observed": True},
        {"customer_id": "C4", "follow_up_days": 40.0},
    )
    curve = retention_curve(cohorts, "promoter")
    assert curve["days"].tolist() == [10.0, 30.0]
    assert curve["retention"].tolist() == pytest.approx([0.75, 0.375])
    assert retention_at(curve, 5)[0] == 1.0
    assert retention_at(curve, 25)[0] == pytest.approx(0.75)
    value, low, high = retention_at(curve, 365)
    assert (value, low < value < high) == (pytest.approx(0.375), True)
    assert retention_curve(cohorts, "detractor").empty


def test_each_customer_quarter_is_one_interval_ending_at_churn_the_quarter_end_or_the_data_end():
    cohorts = cohort_rows(
        {"quarter_start_date": date(2025, 1, 1)},  # 90 days, no churn
        {"quarter_start_date": date(2025, 4, 1), "follow_up_days": 45.5, "is_churned_next_quarter": True,
         "is_churned_next_12_months": True, "is_churn_observed": True},
        {"quarter_start_date": date(2025, 7, 1), "follow_up_days": 100.0, "is_churned_next_12_months": True,
         "is_churn_observed": True},  # churns in the next quarter: censored at this one's end (92 days)
        {"quarter_start_date": date(2025, 10, 1), "follow_up_days": 1.0, "has_full_quarter": False},
    )  # fmt: skip
    intervals = quarter_intervals(check_cohorts(cohorts))
    assert intervals["days"].tolist() == [90.0, 45.5, 92.0, 1.0]
    assert intervals["status"].tolist() == [0.0, 1.0, 0.0, 0.0]


def test_a_frame_that_cannot_be_fitted_says_why():
    assert unfit_reason(cohort_rows({}).iloc[:0]) == (
        "no customer quarters (no CRM customers, or no ratings and deals to date them)"
    )
    assert unfit_reason(cohort_rows({}, {"nps_category": "passive"})) == (
        "no customer quarters followed up for a quarter in categories: detractor, not_rated"
    )
    every_category = cohort_rows(*({"nps_category": c} for c in ("promoter", "passive", "detractor", "not_rated")))
    assert unfit_reason(every_category) == "no churn among the customer quarters followed up for a quarter"
