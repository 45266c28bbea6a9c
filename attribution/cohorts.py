"""The cohort frame every fit reads (the columns of the dbt model customer_value_cohorts) and the
design matrix built from it: NPS category plus the controls."""
from __future__ import annotations

import numpy as np
import pandas as pd

CATEGORIES = ("promoter", "passive", "detractor", "not_rated")
REFERENCE_CATEGORY = "promoter"
# Effects are reported against promoters, in this order.
COMPARED_CATEGORIES = tuple(c for c in CATEGORIES if c != REFERENCE_CATEGORY)
# Tenure at the quarter start, in years; the last band is the reference.
TENURE_BANDS = (("under_1_year", 0.0, 1.0), ("1_to_2_years", 1.0, 2.0), ("2_to_3_years", 2.0, 3.0))

COLUMNS = (
    "customer_id",
    "quarter_start_date",
    "customer_type",
    "product",
    "size_employees",
    "tenure_years",
    "nps_category",
    "revenue_next_quarter",
    "revenue_next_12_months",
    "revenue_previous_12_months",
    "is_churned_next_quarter",
    "is_churned_next_12_months",
    "follow_up_days",
    "is_churn_observed",
    "has_full_quarter",
    "has_full_12_months",
)


_NUMBERS = (
    "size_employees", "tenure_years", "revenue_next_quarter", "revenue_next_12_months",
    "revenue_previous_12_months", "follow_up_days",
)  # fmt: skip
_FLAGS = ("is_churned_next_quarter", "is_churned_next_12_months", "is_churn_observed", "has_full_quarter", "has_full_12_months")


def check_cohorts(cohorts: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column typed (numbers as floats, flags as booleans, quarter starts as
    dates), or a ValueError naming what is missing or unexpected."""
    missing = [c for c in COLUMNS if c not in cohorts.columns]
    if missing:
        raise ValueError(f"cohort frame: expected columns {', '.join(missing)}; found {', '.join(cohorts.columns)}")
    if cohorts.empty:
        raise ValueError("cohort frame: expected customer quarters, found none")
    unknown = sorted(set(cohorts["nps_category"].dropna()) - set(CATEGORIES))
    if unknown or cohorts["nps_category"].isna().any():
        raise ValueError(
            f"cohort frame: nps_category must be one of {', '.join(CATEGORIES)}; found "
            f"{', '.join(unknown) if unknown else 'empty values'}"
        )
    empty_flags = [c for c in _FLAGS if cohorts[c].isna().any()]
    if empty_flags:
        raise ValueError(f"cohort frame: expected true/false in {', '.join(empty_flags)}, found empty values")
    typed = cohorts.copy()
    for column in _NUMBERS:
        typed[column] = pd.to_numeric(typed[column]).astype(float)
    for column in _FLAGS:
        typed[column] = typed[column].astype(bool)
    typed["quarter_start_date"] = pd.to_datetime(typed["quarter_start_date"]).dt.date
    return typed


def category_term(category: str) -> str:
    return f"nps_category[{category}]"


def design_matrix(cohorts: pd.DataFrame, intercept: bool = True, columns: list[str] | None = None) -> pd.DataFrame:
    """Category (against promoters) and controls: customer type, product (against the most common
    one), log(1 + employees) and tenure band. For a fit (`columns` None), columns without variation
    in this frame are left out, so a sample without, say, TV customers still fits; for predictions
    pass the fitted model's columns."""
    built: dict[str, np.ndarray] = {}
    if intercept:
        built["intercept"] = np.ones(len(cohorts))
    category = cohorts["nps_category"].to_numpy()
    for name in COMPARED_CATEGORIES:
        built[category_term(name)] = (category == name).astype(float)
    built["customer_type[business]"] = (cohorts["customer_type"].to_numpy() == "business").astype(float)
    products = cohorts["product"].astype(str)
    for name in sorted(set(products)):
        built[f"product[{name}]"] = (products.to_numpy() == name).astype(float)
    built["log_size_employees"] = np.log1p(cohorts["size_employees"].astype(float).fillna(0.0).to_numpy())
    tenure = cohorts["tenure_years"].astype(float).to_numpy()
    for name, low, high in TENURE_BANDS:
        built[f"tenure[{name}]"] = ((tenure >= low) & (tenure < high)).astype(float)
    exog = pd.DataFrame(built, index=cohorts.index)
    if columns is not None:
        return exog.reindex(columns=columns, fill_value=0.0)
    reference_product = f"product[{products.value_counts().index[0]}]"
    varying = [c for c in exog.columns if c != reference_product and (c == "intercept" or exog[c].nunique() > 1)]
    return exog[varying]


def customer_groups(cohorts: pd.DataFrame) -> np.ndarray:
    """Integer cluster labels: one per customer, for standard errors clustered by customer."""
    return pd.factorize(cohorts["customer_id"])[0]
