"""customer_value_cohorts computed in pandas straight from a synthetic world's files: the statistics
are tested on these frames, independently of ingestion and dbt. Same rules as the dbt model:
quarters cut in UTC; a cohort is every customer created before the quarter start and not churned by
it; the category is that of the latest rating answered before the quarter start (a relational one
when both survey types answered at the same moment); revenue is closed-won deal amounts."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _utc(values: pd.Series) -> pd.Series:
    """ISO 8601 UTC text -> naive datetimes in UTC."""
    return pd.to_datetime(values.replace("", None), utc=True, format="ISO8601").dt.tz_convert(None)


def world_ratings(world: Path) -> pd.DataFrame:
    """Every response identified to a CRM customer (customer number, else a contact's e-mail)."""
    responses = pd.concat([_read(p) for p in sorted((world / "responses").glob("responses_*.csv"))])
    contacts = _read(world / "crm" / "contacts.csv")
    by_email = dict(zip(contacts["email"].str.strip().str.lower(), contacts["customer_id"]))
    emailed = responses["customer_email"].str.strip().str.lower().map(by_email)
    customer_id = responses["customer_id"].where(responses["customer_id"] != "", emailed)
    score = responses["score"].astype(int)
    return pd.DataFrame(
        {
            "customer_id": customer_id,
            "survey_type": responses["survey_type"],
            "responded_at": _utc(responses["responded_at"]),
            "nps_category": np.select([score >= 9, score >= 7], ["promoter", "passive"], "detractor"),
        }
    ).dropna(subset=["customer_id"])


def world_cohorts(world: Path) -> pd.DataFrame:
    customers = _read(world / "crm" / "customers.csv")
    customers["created_at"] = _utc(customers["created_at"])
    customers["churned_at"] = _utc(customers["churned_at"])
    customers["size_employees"] = pd.to_numeric(customers["size_employees"].replace("", None))
    deals = _read(world / "crm" / "deals.csv")
    deals = deals[deals["stage"] == "closedwon"]
    deals = pd.DataFrame(
        {"customer_id": deals["customer_id"], "amount": deals["amount"].astype(float), "closed_at": _utc(deals["closed_at"])}
    )
    ratings = world_ratings(world)
    first_event = min(ratings["responded_at"].min(), deals["closed_at"].min())
    last_event = max(ratings["responded_at"].max(), deals["closed_at"].max())
    observed_since = first_event.normalize()
    observed_until = last_event.normalize() + pd.Timedelta(days=1)  # end of the last day with data

    # Quarters that start on or after the first day with data and before its last day ends.
    quarter_starts = pd.date_range(observed_since, observed_until - pd.Timedelta(seconds=1), freq="QS")

    rows = []
    for start in quarter_starts:
        active = customers[
            (customers["created_at"] < start)
            & (customers["churned_at"].isna() | (customers["churned_at"] > start))
        ]
        rows.append(active.assign(quarter_start=start))
    cohorts = pd.concat(rows, ignore_index=True)
    cohorts = _with_category(cohorts, ratings)
    cohorts = _with_revenue(cohorts, deals)

    start = cohorts["quarter_start"]
    next_quarter = start + pd.DateOffset(months=3)
    next_year = start + pd.DateOffset(months=12)
    churned = cohorts["churned_at"]
    follow_up_end = np.minimum(next_year, observed_until)
    churn_seen = churned.notna() & (churned < follow_up_end)
    return pd.DataFrame(
        {
            "customer_id": cohorts["customer_id"],
            "quarter_start_date": start.dt.date,
            "customer_type": cohorts["customer_type"],
            "product": cohorts["product"],
            "region": cohorts["region"],
            "size_employees": cohorts["size_employees"],
            "tenure_years": (start - cohorts["created_at"]).dt.total_seconds() / 86_400 / DAYS_PER_YEAR,
            "nps_category": cohorts["nps_category"],
            "rating_survey_type": cohorts["survey_type"],
            "rating_age_days": (start - cohorts["responded_at"]).dt.days,
            "revenue_next_quarter": cohorts["revenue_next_quarter"].where(next_quarter <= observed_until),
            "revenue_next_12_months": cohorts["revenue_next_12_months"].where(next_year <= observed_until),
            "revenue_previous_12_months": cohorts["revenue_previous_12_months"].where(
                start - pd.DateOffset(months=12) >= observed_since
            ),
            "is_churned_next_quarter": churned.notna() & (churned < next_quarter),
            "is_churned_next_12_months": churned.notna() & (churned < next_year),
            "follow_up_days": np.where(
                churn_seen, (churned - start).dt.total_seconds(), (follow_up_end - start).dt.total_seconds()
            ) / 86_400,
            "is_churn_observed": churn_seen,
            "has_full_quarter": next_quarter <= observed_until,
            "has_full_12_months": next_year <= observed_until,
        }
    )


def _with_category(cohorts: pd.DataFrame, ratings: pd.DataFrame) -> pd.DataFrame:
    # At equal times relational sorts last, so merge_asof (which takes the last match) picks it.
    ratings = ratings.sort_values(["responded_at", "survey_type"], ascending=[True, False], kind="stable")
    merged = pd.merge_asof(
        cohorts.sort_values("quarter_start", kind="stable"),
        ratings,
        left_on="quarter_start",
        right_on="responded_at",
        by="customer_id",
        allow_exact_matches=False,  # answered before the quarter start
    )
    merged["nps_category"] = merged["nps_category"].fillna("not_rated")
    return merged


def _window_sum(cohorts: pd.DataFrame, deals: pd.DataFrame, lower: pd.Series, upper: pd.Series) -> np.ndarray:
    joined = cohorts[["customer_id"]].assign(row=np.arange(len(cohorts)), lower=lower.values, upper=upper.values)
    joined = joined.merge(deals, on="customer_id")
    inside = joined[(joined["closed_at"] >= joined["lower"]) & (joined["closed_at"] < joined["upper"])]
    return inside.groupby("row")["amount"].sum().reindex(np.arange(len(cohorts)), fill_value=0.0).to_numpy()


def _with_revenue(cohorts: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    cohorts = cohorts.reset_index(drop=True)
    start = cohorts["quarter_start"]
    return cohorts.assign(
        revenue_next_quarter=_window_sum(cohorts, deals, start, start + pd.DateOffset(months=3)),
        revenue_next_12_months=_window_sum(cohorts, deals, start, start + pd.DateOffset(months=12)),
        revenue_previous_12_months=_window_sum(cohorts, deals, start - pd.DateOffset(months=12), start),
    )
