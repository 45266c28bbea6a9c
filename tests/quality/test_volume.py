"""Daily volume is judged per day of a source's latest load against the trailing median day,
counting only what was landed before that load (so a batch loaded twice cannot vouch for itself)."""
from datetime import date, timedelta

import pandas as pd

from expectations.thresholds import DailyVolumeThresholds
from expectations.volume import judge_daily_volume

TODAY = date(2026, 6, 30)
THRESHOLDS = DailyVolumeThresholds(min_baseline=5)


def daily(counts: dict[date, tuple[int, int]], source: str = "exports") -> pd.DataFrame:
    """day -> (responses landed before the latest load, responses in the latest load)"""
    return pd.DataFrame(
        [
            {"source_name": source, "response_date": day, "responses": before + latest,
             "responses_before_latest_load": before, "responses_in_latest_load": latest}
            for day, (before, latest) in counts.items()
        ]
    )  # fmt: skip


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def test_a_batch_loaded_twice_doubles_every_day_it_touches_against_what_was_there_before():
    history = days(date(2026, 5, 1), 40)
    judged = judge_daily_volume(daily({day: (10, 10) for day in history}), THRESHOLDS, TODAY)

    scored = judged[judged["judged"] == "judged"]
    assert len(scored) == 33  # the first 7 days have less than a week of history
    assert set(scored["ratio"]) == {2.0}
    assert set(judged.loc[judged["judged"] != "judged", "judged"]) == {"not enough history"}


def test_a_day_with_a_90_percent_drop_is_a_ratio_of_one_tenth():
    history = {day: (10, 0) for day in days(date(2026, 5, 1), 40)}
    new_days = {date(2026, 6, 10): (0, 10), date(2026, 6, 11): (0, 1), date(2026, 6, 12): (0, 10)}

    judged = judge_daily_volume(daily(history | new_days), THRESHOLDS, TODAY)

    assert judged[["response_date", "responses", "baseline_median", "ratio"]].to_dict("records") == [
        {"response_date": date(2026, 6, 10), "responses": 10, "baseline_median": 10.0, "ratio": 1.0},
        {"response_date": date(2026, 6, 11), "responses": 1, "baseline_median": 10.0, "ratio": 0.1},
        {"response_date": date(2026, 6, 12), "responses": 10, "baseline_median": 10.0, "ratio": 1.0},
    ]


def test_a_first_load_is_judged_against_itself_and_days_without_responses_count_as_zero():
    # 20 days of 10 responses, but none at all on 15 May
    first_load = {day: (0, 10) for day in days(date(2026, 5, 1), 20) if day != date(2026, 5, 15)}

    judged = judge_daily_volume(daily(first_load), THRESHOLDS, TODAY).set_index("response_date")

    assert judged.loc[date(2026, 5, 16), "history_days"] == 15  # 1..15 May, 15 May as 0
    assert judged.loc[date(2026, 5, 16), "baseline_median"] == 10.0
    assert judged.loc[date(2026, 5, 8), "judged"] == "judged"
    assert judged.loc[date(2026, 5, 7), "judged"] == "not enough history"


def test_today_is_not_judged_and_a_small_baseline_is_not_an_incident():
    history = {day: (3, 0) for day in days(date(2026, 6, 1), 28)}
    judged = judge_daily_volume(daily(history | {date(2026, 6, 29): (0, 9), TODAY: (0, 1)}), THRESHOLDS, TODAY)

    assert judged[["response_date", "judged", "ratio"]].to_dict("records") == [
        {"response_date": date(2026, 6, 29), "judged": "baseline too small", "ratio": None}
    ]


def test_each_source_has_its_own_baseline():
    quiet = daily({day: (10, 0) for day in days(date(2026, 5, 1), 30)} | {date(2026, 6, 1): (0, 10)}, "quiet")
    busy = daily({day: (100, 0) for day in days(date(2026, 5, 1), 30)} | {date(2026, 6, 1): (0, 200)}, "busy")

    judged = judge_daily_volume(pd.concat([quiet, busy]), THRESHOLDS, TODAY)

    assert judged[["source_name", "ratio"]].to_dict("records") == [
        {"source_name": "busy", "ratio": 2.0},
        {"source_name": "quiet", "ratio": 1.0},
    ]
