"""Landing behaves the same on DuckDB and PostgreSQL: upsert, quarantine, cursor in one transaction."""
import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion import landing
from ingestion.landing import Batch, QuarantineRecord, ensure_raw_tables, land_batch, read_cursor
from ingestion.warehouse import open_warehouse
from ingestion.raw_tables import responses_table

TABLE = responses_table("csv")


def response(response_id: str, score: int, modified: int, comment: str | None = None) -> dict:
    record = {column: None for column in TABLE.columns}
    record.update(
        response_id=response_id, score=score, comment=comment, survey_type="transactional",
        responded_at=datetime(2026, 5, 1, 12, tzinfo=UTC), attributes={"store": "Utrecht"},
    )
    record["payload"] = {"id": response_id, "score": score, "comment": comment}
    record["_modified_at"] = datetime(2026, 5, modified, tzinfo=UTC)
    return record


def rows(warehouse, sql="select response_id, score, comment from raw.csv__responses order by 1"):
    return [tuple(row) for row in warehouse.execute(sql)]


def test_new_records_land_with_their_cursor(warehouse):
    batch = Batch(records=[response("a", 10, 1), response("b", 3, 1)], cursor="page-1")

    counts = land_batch(warehouse, TABLE, "exports", "responses", batch, "run-1")

    assert (counts.fetched, counts.landed, counts.updated, counts.unchanged) == (2, 2, 0, 0)
    assert rows(warehouse) == [("a", 10, None), ("b", 3, None)]
    assert read_cursor(warehouse, "exports", "responses") == "page-1"


def test_a_newer_version_replaces_the_old_and_an_older_or_identical_one_changes_nothing(warehouse):
    land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 10, 2)]), "run-1")

    newer = land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 6, 3, "late")]), "run-2")
    older = land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 9, 1)]), "run-3")
    same = land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 6, 3, "late")]), "run-4")

    assert (newer.landed, newer.updated) == (0, 1)
    assert (older.updated, older.unchanged, same.updated, same.unchanged) == (0, 1, 0, 1)
    assert rows(warehouse) == [("a", 6, "late")]
    assert rows(warehouse, "select _batch_id from raw.csv__responses") == [("run-2",)]


def test_a_batch_of_new_records_lands_each_once_in_its_latest_version_with_its_quarantine(warehouse):
    bad = QuarantineRecord("page-1/c", "missing score (score)", '{"id": "c"}')
    batch = Batch(records=[response("a", 1, 1), response("b", 5, 1), response("a", 9, 2)], quarantined=[bad], cursor="page-1")

    counts = land_batch(warehouse, TABLE, "exports", "responses", batch, "run-1")

    assert (counts.fetched, counts.landed, counts.updated, counts.unchanged, counts.quarantined) == (4, 2, 0, 1, 1)
    assert rows(warehouse) == [("a", 9, None), ("b", 5, None)]
    assert rows(warehouse, "select record_ref, reason from raw.quarantine") == [("page-1/c", "missing score (score)")]
    assert read_cursor(warehouse, "exports", "responses") == "page-1"


def test_in_a_batch_with_records_landed_before_those_are_upserted_and_the_rest_appended(warehouse):
    land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 10, 1), response("c", 7, 1)]), "run-1")
    batch = Batch(records=[response("b", 3, 1), response("a", 6, 2), response("c", 7, 1)])

    counts = land_batch(warehouse, TABLE, "exports", "responses", batch, "run-2")

    assert (counts.landed, counts.updated, counts.unchanged) == (1, 1, 1)
    assert rows(warehouse, "select response_id, score, _batch_id from raw.csv__responses order by 1") == [
        ("a", 6, "run-2"), ("b", 3, "run-2"), ("c", 7, "run-1")
    ]


def test_the_same_id_from_two_sources_is_two_records(warehouse):
    land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 10, 1)]), "r")
    land_batch(warehouse, TABLE, "legacy", "responses", Batch(records=[response("a", 2, 1)]), "r")

    assert rows(warehouse, "select _source, score from raw.csv__responses order by 1") == [("exports", 10), ("legacy", 2)]


def test_quarantined_records_are_kept_once_with_their_reason(warehouse):
    bad = QuarantineRecord("file.csv:line 3", "invalid score '11': expected an integer 0..10", '{"score": "11"}')

    first = land_batch(warehouse, TABLE, "exports", "responses", Batch(quarantined=[bad, bad]), "r1")
    again = land_batch(warehouse, TABLE, "exports", "responses", Batch(quarantined=[bad]), "r2")

    assert (first.quarantined, again.quarantined) == (1, 0)
    assert rows(warehouse, "select _source, object, record_ref, reason, payload from raw.quarantine") == [
        ("exports", "responses", "file.csv:line 3", "invalid score '11': expected an integer 0..10", '{"score": "11"}')
    ]


def test_a_failing_batch_lands_nothing_and_keeps_the_cursor(warehouse):
    land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 10, 1)], cursor="page-1"), "r1")
    broken = response("b", 10, 2)
    broken["responded_at"] = "not a timestamp"

    with pytest.raises(Exception):
        land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("c", 1, 2), broken], cursor="page-2"), "r2")

    assert rows(warehouse) == [("a", 10, None)]
    assert read_cursor(warehouse, "exports", "responses") == "page-1"


def test_pages_are_merged_into_larger_batches_carrying_the_newest_cursor():
    from ingestion.ingest import coalesce

    pages = [
        Batch(records=[{"n": 1}, {"n": 2}], cursor="p1"),
        Batch(quarantined=[QuarantineRecord("p2", "bad", "{}")], cursor=None),
        Batch(records=[{"n": 3}], cursor="p3"),
        Batch(records=[{"n": 4}], cursor="p4"),
    ]

    merged = list(coalesce(pages, max_records=4))

    assert [(len(b.records), len(b.quarantined), b.cursor) for b in merged] == [(3, 1, "p3"), (1, 0, "p4")]


# Two versions of one record in a batch (Delighted's overlapping pages): the latest lands, as the
# SQL window in landing would choose it; landing picks it in Python where it plainly can.
versions = st.lists(
    st.tuples(st.sampled_from("abc"), st.integers(0, 10), st.one_of(st.none(), st.integers(1, 3))),
    min_size=1, max_size=8,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions=versions, landed_first=st.booleans())
def test_the_latest_version_in_a_batch_lands_as_the_sql_window_chooses_it(tmp_path, monkeypatch, versions, landed_first):
    def land(choose_in_python: bool):
        with open_warehouse(tmp_path / f"{uuid.uuid4().hex}.duckdb") as warehouse:
            ensure_raw_tables(warehouse, [TABLE])
            if landed_first:
                land_batch(warehouse, TABLE, "exports", "responses", Batch(records=[response("a", 5, 2)]), "r0")
            records = []
            for response_id, score, day in versions:
                record = response(response_id, score, day or 1)
                record["_modified_at"] = None if day is None else record["_modified_at"]
                records.append(record)
            if not choose_in_python:
                monkeypatch.setattr(landing, "_latest_versions", lambda records, key: None)
            counts = land_batch(warehouse, TABLE, "exports", "responses", Batch(records=records), "r1")
            monkeypatch.undo()
            return counts, rows(warehouse, "select response_id, score, _modified_at, _batch_id from raw.csv__responses order by 1")

    assert land(choose_in_python=True) == land(choose_in_python=False)


def test_a_batch_with_keys_other_than_text_is_left_to_the_sql_window():
    records = [response("a", 1, 1), response("a", 2, 2)]
    assert landing._latest_versions(records, TABLE.key) == [records[1]]
    records[0]["response_id"] = 7
    assert landing._latest_versions(records, TABLE.key) is None
    records[0]["response_id"], records[0]["_modified_at"] = "a", datetime(2026, 5, 1)  # no time zone
    assert landing._latest_versions(records, TABLE.key) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(value=json_values | st.dictionaries(st.integers(), st.text(), max_size=3) | st.datetimes() | st.sets(st.integers(), max_size=3))
def test_payloads_are_encoded_as_json_encoder_encodes_them(value):
    """An unchanged record's payload must compare equal to the one landed before: the text is exactly
    json.JSONEncoder's with landing's options (or fails as it does)."""
    expected_encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)

    def outcome(encode):
        try:
            return encode(value)
        except Exception as error:
            return type(error), str(error)

    assert outcome(landing._encode) == outcome(expected_encoder.encode)


def test_a_circular_payload_fails_as_json_encoder_fails_and_the_encoder_recovers():
    circular: list = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular reference detected"):
        landing._json_or_none(circular)
    shared = {"x": 1}
    assert landing._json_or_none([shared, shared]) == '[{"x": 1}, {"x": 1}]'
