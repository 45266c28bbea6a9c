"""Arrival suites on a raw responses table: daily volume per source, and each source's freshness.

Daily volume is about what the latest load did: each day that load touched (before today, in the
reporting timezone) is compared with the median day of the trailing window. The baseline counts
only responses landed *before* that load - otherwise a batch loaded twice would double its own
baseline and pass - except on a source's first load, when there is nothing before it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from expectations.runner import LATEST_BATCH_SQL, FrameSuite, Query, Rule
from expectations.thresholds import DailyVolumeThresholds, FreshnessThresholds


VOLUME_COLUMNS = [
    "source_name", "response_date", "responses", "baseline_median", "history_days", "ratio", "judged",
]  # fmt: skip


def daily_volume(
    query: Query, raw_table: str, timezone: str, thresholds: DailyVolumeThresholds, today: date
) -> FrameSuite:
    import great_expectations as gx

    daily = query(
        f"""
        with latest as (
            {LATEST_BATCH_SQL.format(table=raw_table)}
        )
        select
            raw._source as source_name,
            cast(raw.responded_at at time zone ? as date) as response_date,
            count(*) as responses,
            count(*) filter (where raw._batch_id <> latest.batch_id) as responses_before_latest_load,
            count(*) filter (where raw._batch_id = latest.batch_id) as responses_in_latest_load
        from {raw_table} as raw
        join latest on latest._source = raw._source
        where raw.responded_at is not null
        group by 1, 2
        order by 1, 2
        """,
        [timezone],
    )
    frame = judge_daily_volume(daily, thresholds, today)
    return FrameSuite(
        name=f"{raw_table}.daily_volume",
        frame=frame,
        rules=[
            Rule(
                "daily_volume_within_band",
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="ratio", min_value=thresholds.min_ratio, max_value=thresholds.max_ratio
                ),
            )
        ],
    )


def judge_daily_volume(daily: pd.DataFrame, thresholds: DailyVolumeThresholds, today: date) -> pd.DataFrame:
    """daily: source_name, response_date, responses, responses_before_latest_load,
    responses_in_latest_load -> one row per day of each source's latest load, with the trailing
    median and the day's ratio to it (ratio empty where the day is not judged, and why)."""
    rows = []
    for source_name, days in daily.groupby("source_name", sort=True):
        days = days.assign(response_date=pd.to_datetime(days["response_date"]).dt.date)
        first_load = int(days["responses_before_latest_load"].sum()) == 0
        basis = days.set_index("response_date")["responses" if first_load else "responses_before_latest_load"]
        basis = basis[basis > 0]
        history = _daily_series(basis)
        totals = days.set_index("response_date")["responses"]
        for day in sorted(days.loc[days["responses_in_latest_load"] > 0, "response_date"]):
            if day >= today:
                continue  # today is not over yet
            window = history[(history.index >= day - timedelta(days=thresholds.trailing_days))
                             & (history.index < day)]  # fmt: skip
            median = float(window.median()) if len(window) else None
            judged = (
                "not enough history" if len(window) < thresholds.min_history_days
                else "baseline too small" if median < thresholds.min_baseline
                else "judged"
            )  # fmt: skip
            rows.append(
                {
                    "source_name": source_name,
                    "response_date": day,
                    "responses": int(totals[day]),
                    "baseline_median": median,
                    "history_days": len(window),
                    "ratio": round(int(totals[day]) / median, 4) if judged == "judged" else None,
                    "judged": judged,
                }
            )
    return pd.DataFrame(rows, columns=VOLUME_COLUMNS)


def _daily_series(counts: pd.Series) -> pd.Series:
    """Counts per day from the first to the last day with any, days without responses as 0."""
    if counts.empty:
        return pd.Series(dtype="float64")
    days = [counts.index.min() + timedelta(days=i) for i in range((counts.index.max() - counts.index.min()).days + 1)]
    return counts.reindex(days, fill_value=0).astype("float64")


def freshness(
    query: Query, raw_table: str, sources: list[str], thresholds: FreshnessThresholds, now: datetime
) -> FrameSuite:
    """Per configured source: hours since its newest response and since its last load."""
    import great_expectations as gx

    E = gx.expectations
    latest = query(
        f"""
        select _source as source_name, max(responded_at) as latest_responded_at,
            max(_loaded_at) as latest_loaded_at
        from {raw_table}
        group by 1
        """
    )
    frame = pd.DataFrame({"source_name": sources}).merge(latest, on="source_name", how="left")
    for column, hours in (("latest_responded_at", "hours_since_response"), ("latest_loaded_at", "hours_since_load")):
        moments = pd.to_datetime(frame[column], utc=True)
        frame[hours] = ((pd.Timestamp(now) - moments).dt.total_seconds() / 3600).round(1)
    return FrameSuite(
        name=f"{raw_table}.freshness",
        frame=frame,
        rules=[
            Rule("source_has_responses", E.ExpectColumnValuesToNotBeNull(column="latest_responded_at")),
            Rule(
                "newest_response_recent",
                E.ExpectColumnValuesToBeBetween(
                    column="hours_since_response", max_value=thresholds.max_response_age_hours
                ),
            ),
            Rule(
                "last_load_recent",
                E.ExpectColumnValuesToBeBetween(column="hours_since_load", max_value=thresholds.max_load_age_hours),
            ),
        ],
    )
