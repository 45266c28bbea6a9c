"""Same spec, same bytes; a later end date only adds days; chunks are the written responses."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from ingestion.synthetic import WorldSpec, iter_response_chunks

SPEC = WorldSpec(seed=11, responses=6_000, end_date=date(2025, 6, 12), months=6)


def test_same_spec_gives_byte_identical_files(write):
    first = write(SPEC, "a", interactions=True)
    second = write(SPEC, "b", interactions=True)
    assert first.hashes() == second.hashes()
    # truth, org x3, crm x3, and 7 months of responses and of interactions
    assert len(first.hashes()) == 7 + 7 + 7


def test_interactions_option_changes_nothing_else(write):
    with_interactions = write(SPEC, "a", interactions=True)
    without = write(SPEC, "b")
    data = {
        f: h
        for f, h in with_interactions.hashes().items()
        if not f.startswith("interactions/") and f != "truth.json"
    }
    assert data == {f: h for f, h in without.hashes().items() if f != "truth.json"}
    truth_with = json.loads(with_interactions.summary.truth_path.read_text(encoding="utf-8"))
    truth_without = json.loads(without.summary.truth_path.read_text(encoding="utf-8"))
    assert truth_with["rows"].pop("interactions") > 0
    assert truth_with == truth_without


def test_a_different_seed_gives_a_different_world(write):
    first = write(SPEC, "a").hashes()
    second = write(replace(SPEC, seed=12), "b").hashes()
    assert first["org/products.csv"] == second["org/products.csv"]
    differing = [f for f in first if f.startswith(("responses/", "crm/")) and first[f] != second[f]]
    assert len(differing) == len([f for f in first if f.startswith(("responses/", "crm/"))])


def test_one_more_day_only_adds_that_days_rows(write):
    old = write(SPEC, "old")
    new = write(replace(SPEC, end_date=SPEC.end_date + timedelta(days=1)), "new")
    old_files, new_files = old.hashes(), new.hashes()
    # Whole months strictly inside both windows are byte-identical.
    for month in ("2025_01", "2025_02", "2025_03", "2025_04", "2025_05"):
        relative = f"responses/responses_{month}.csv"
        assert old_files[relative] == new_files[relative]
    # The last month grows by exactly the new day's rows, appended.
    old_last = (old.root / "responses/responses_2025_06.csv").read_bytes()
    new_last = (new.root / "responses/responses_2025_06.csv").read_bytes()
    assert new_last.startswith(old_last) and len(new_last) > len(old_last)
    added = new.table("responses/responses_2025_06.csv").iloc[old_last.count(b"\r\n") - 1 :]
    assert added["responded_at"].str.startswith("2025-06-13").all()
    # The window start moved by a day too: the old first day's rows are gone, the rest unchanged.
    old_responses, new_responses = old.responses(), new.responses()
    kept = old_responses[~old_responses["responded_at"].str.startswith("2024-12-12")]
    assert len(kept) < len(old_responses)
    merged = kept.merge(new_responses, how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert len(new_responses) == len(kept) + len(added)
    # Deals behave the same way; CRM rows keep their identity and attributes.
    old_deals, new_deals = old.table("crm/deals.csv"), new.table("crm/deals.csv")
    kept_deals = old_deals[~old_deals["closed_at"].str.startswith("2024-12-12")]
    assert (kept_deals.merge(new_deals, how="left", indicator=True)["_merge"] == "both").all()
    new_only = new_deals[~new_deals["deal_id"].isin(old_deals["deal_id"])]
    assert new_only["closed_at"].str.startswith("2025-06-13").all()
    columns = [
        "customer_id", "customer_type", "name", "email", "phone", "size_employees", "product",
        "created_at",
    ]
    old_customers, new_customers = old.table("crm/customers.csv"), new.table("crm/customers.csv")
    both = old_customers[columns].merge(new_customers[columns], how="inner")
    assert len(both) >= len(old_customers) - 5


def test_a_month_is_the_same_whatever_window_contains_it(write):
    earlier = write(SPEC, "earlier").hashes()
    later = write(replace(SPEC, end_date=date(2025, 9, 30)), "later").hashes()
    for month in ("2025_04", "2025_05"):
        relative = f"responses/responses_{month}.csv"
        assert earlier[relative] == later[relative]


def test_chunks_are_the_written_responses_one_calendar_month_each(write):
    written = write(SPEC, "w").responses()
    chunks = list(iter_response_chunks(SPEC))
    assert len(chunks) == 7
    for chunk in chunks:
        assert chunk["responded_at"].dt.tz is not None
        months = chunk["responded_at"].dt.strftime("%Y-%m")
        assert months.nunique() == 1
        assert len(chunk) < 2 * SPEC.responses / SPEC.months  # bounded: never more than a month
    streamed = pd.concat(chunks, ignore_index=True)
    assert list(streamed.columns) == list(written.columns)
    as_text = streamed.astype(object).where(streamed.notna(), "")
    as_text["responded_at"] = streamed["responded_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    as_text["score"] = streamed["score"].astype(str)
    pd.testing.assert_frame_equal(as_text.astype(str), written.astype(str))
