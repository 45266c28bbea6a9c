"""The drivers and follow-up marts built for real from a synthetic world landed through the
connectors: comments are tagged with exactly the themes of the sentences they are made of, the
drivers recount, and each detractor's follow-up status follows the CRM activity the emulator logged."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pandas as pd
import pytest

from ingestion.emulators.world import EmulatedWorld
from ingestion.synthetic.comments import _SENTENCES
from tests.closed_loop.world_build import STATUS_AS_OF

pytestmark = pytest.mark.slow

SENTENCE_THEMES = {
    sentence: (language, theme)
    for language, themes in _SENTENCES.items()
    for theme, sentences in themes.items()
    for sentence in sentences
}


def test_every_comment_is_tagged_with_exactly_the_themes_of_its_sentences(built):
    comments = built.read(
        "select response_id, comment, language from intermediate.int_responses_conformed where comment is not null"
    )
    tagged = defaultdict(set)
    for row in built.read("select response_id, theme, comment_language from marts.comment_theme_mentions"):
        tagged[row["response_id"]].add((row["comment_language"], row["theme"]))

    expected = {
        row["response_id"]: {SENTENCE_THEMES[s] for s in SENTENCE_THEMES if s in row["comment"]} for row in comments
    }

    assert len(comments) > 150
    assert {"nl", "en"} == {language for themes in expected.values() for language, _ in themes}
    assert all(themes for themes in expected.values())  # every comment is made of known sentences
    assert dict(tagged) == expected


def test_drivers_recount_mentions_shares_and_the_gain_per_process_and_month(built):
    responses = pd.DataFrame(built.read(
        "select response_id, process, survey_type, nps_category, date_trunc('month', responded_date) as month "
        "from intermediate.int_responses_conformed where process is not null"
    ))  # fmt: skip
    mentions = pd.DataFrame(built.read("select response_id, theme from marts.comment_theme_mentions")).merge(responses)
    keys = ["month", "survey_type", "process"]
    totals = responses.groupby(keys).agg(
        responses=("response_id", "size"),
        detractors=("nps_category", lambda c: (c == "detractor").sum()),
    )
    by_theme = mentions.groupby([*keys, "theme"]).agg(
        mentions=("response_id", "size"),
        detractor_mentions=("nps_category", lambda c: (c == "detractor").sum()),
    ).reset_index().merge(totals.reset_index())
    drivers = pd.DataFrame(built.read(
        "select period_start as month, survey_type, process, theme, mentions, detractor_mentions, "
        "share_of_detractors, nps_gain_if_detractors_passive, gain_rank "
        "from marts.nps_drivers_by_process where period_grain = 'month'"
    ))  # fmt: skip
    by_theme["month"] = pd.to_datetime(by_theme["month"]).dt.date
    merged = by_theme.merge(drivers, on=[*keys, "theme"], how="outer", suffixes=("", "_mart"), indicator=True)

    assert (merged["_merge"] == "both").all()
    assert (merged["mentions"] == merged["mentions_mart"]).all()
    assert (merged["detractor_mentions"] == merged["detractor_mentions_mart"]).all()
    gain = 100.0 * merged["detractor_mentions"] / merged["responses"]
    assert merged["nps_gain_if_detractors_passive"].tolist() == pytest.approx(gain.tolist())
    share = (merged["detractor_mentions"] / merged["detractors"].where(merged["detractors"] > 0)).fillna(-1)
    assert merged["share_of_detractors"].fillna(-1).tolist() == pytest.approx(share.tolist())
    top = merged[merged["gain_rank"] == 1].groupby(keys)["nps_gain_if_detractors_passive"].max()
    assert (top == merged.groupby(keys)["nps_gain_if_detractors_passive"].max()).all()


def test_follow_up_status_follows_the_crm_activity_logged_after_each_detractor(built, world_dir):
    activities = defaultdict(list)  # customer -> (logged at, done at or None)
    for activity in EmulatedWorld.load(world_dir).select("activities"):
        created = datetime.fromisoformat(activity["created_at"])
        done = datetime.fromisoformat(activity["completed_at"]) if activity["completed_at"] else None
        activities[activity["customer_id"]].append((created, done))
    rows = built.read(
        "select customer_id, responded_at, due_at, follow_up_status, followed_up_at, is_followed_up_within_sla "
        "from marts.detractor_follow_up"
    )

    def expected(row: dict) -> tuple:
        after = [done for logged, done in activities[row["customer_id"]] if logged >= row["responded_at"]]
        done = min((d for d in after if d is not None), default=None)
        status = "done" if done else "overdue" if STATUS_AS_OF > row["due_at"] else "open"
        return status, done, bool(done and done <= row["due_at"])

    assert len(rows) > 50
    assert {row["follow_up_status"] for row in rows} >= {"done", "overdue"}
    assert all(row["due_at"] - row["responded_at"] == timedelta(hours=48) for row in rows)
    assert [
        (row["follow_up_status"], row["followed_up_at"], row["is_followed_up_within_sla"]) for row in rows
    ] == [expected(row) for row in rows]


def test_follow_up_kpis_add_up_to_the_work_list(built):
    work_list = built.read(
        "select follow_up_status, count(*) as n from marts.detractor_follow_up where process is not null group by 1"
    )
    kpis = built.read(
        "select sum(followed_up) as done, sum(open_follow_ups) as open, sum(overdue_follow_ups) as overdue "
        "from marts.follow_up_kpis where period_grain = 'year'"
    )[0]

    assert {row["follow_up_status"]: row["n"] for row in work_list} == {k: v for k, v in kpis.items() if v}
