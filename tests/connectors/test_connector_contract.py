"""What every API connector guarantees, checked against the emulated vendor serving a synthetic world."""
from __future__ import annotations

import json
import time

import pytest
from emulated import (
    ALL_CASES,
    SURVEY_CASES,
    Case,
    add_new,
    change_existing,
    count,
    cursor,
    existing,
    expected,
    run,
    source_config,
)

from ingestion.emulators import start_emulator
from ingestion.emulators.surveymonkey import NPS_QUESTION, PAGE_ID
from ingestion.http import ApiError

ids = [case.id for case in ALL_CASES]


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_full_load_lands_every_record_of_the_world(case: Case, emulator, warehouse, world_dir):
    config = source_config(emulator, case.source_type)

    result = run(warehouse, config, case.object_name)

    assert count(warehouse, case) == expected(world_dir, case)
    assert result.counts.landed == expected(world_dir, case)
    assert result.counts.quarantined == 0
    assert result.pages >= 1
    assert result.retries == 0
    assert cursor(warehouse, config, case) is not None


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_incremental_load_picks_up_new_and_changed_records(case: Case, emulator, warehouse, world_dir):
    config = source_config(emulator, case.source_type)
    run(warehouse, config, case.object_name)
    add_new(emulator, case, 1)
    add_new(emulator, case, 2)
    # Typeform responses cannot change once submitted; everything else can.
    change = change_existing(emulator, case) if case.source_type != "typeform" else None

    result = run(warehouse, config, case.object_name)

    assert result.counts.landed == 2
    assert result.counts.updated == (0 if change is None else 1)
    assert count(warehouse, case) == expected(world_dir, case) + 2
    if change is not None:
        column, value = change
        assert warehouse.execute(f"select count(*) from {case.table} where {column} = ?", (value,))[0][0] == 1
    # An incremental request, not a full reload: far fewer records fetched than the world holds.
    assert result.counts.fetched < expected(world_dir, case)


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_rerunning_lands_no_duplicates(case: Case, emulator, warehouse, world_dir):
    config = source_config(emulator, case.source_type)
    run(warehouse, config, case.object_name)

    again = run(warehouse, config, case.object_name, full_refresh=True)
    incremental = run(warehouse, config, case.object_name)

    assert (again.counts.landed, again.counts.updated) == (0, 0)
    assert again.counts.unchanged == expected(world_dir, case)
    assert (incremental.counts.landed, incremental.counts.updated) == (0, 0)
    assert count(warehouse, case) == expected(world_dir, case)


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_an_empty_source_lands_nothing_and_fails_nothing(case: Case, tmp_path, warehouse):
    with start_emulator(tmp_path) as empty:  # a world folder without any file
        empty.faults.enforce_rate_limits = False
        result = run(warehouse, source_config(empty, case.source_type), case.object_name)

    assert (result.counts.fetched, count(warehouse, case)) == (0, 0)


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_429_is_retried_after_the_servers_retry_after(case: Case, emulator, warehouse, world_dir):
    # Retry-After 2 s scaled by 0.1 is 0.2 s, capped at 10 x max_backoff (0.1 s in these tests):
    # the client must wait that long, ten times its own backoff.
    config = source_config(emulator, case.source_type, http={"server_wait_scale": 0.1})
    emulator.fail_next(case.source_type, 429, count=1, retry_after=2)

    started = time.monotonic()
    result = run(warehouse, config, case.object_name)

    assert time.monotonic() - started >= 0.095  # less a little timer granularity
    assert result.retries == 1
    assert count(warehouse, case) == expected(world_dir, case)


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_server_errors_then_success(case: Case, emulator, warehouse, world_dir):
    config = source_config(emulator, case.source_type)
    emulator.fail_next(case.source_type, 500, count=2)

    result = run(warehouse, config, case.object_name)

    assert result.retries == 2
    assert count(warehouse, case) == expected(world_dir, case)


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_persistent_failure_raises_a_clear_error_and_keeps_the_cursor(case: Case, emulator, warehouse, world_dir):
    config = source_config(emulator, case.source_type)
    run(warehouse, config, case.object_name)
    before = cursor(warehouse, config, case)
    add_new(emulator, case, 1)
    emulator.fail_next(case.source_type, 503, count=100)

    with pytest.raises(ApiError) as failure:
        run(warehouse, config, case.object_name)

    message = str(failure.value)
    assert message.startswith(f"{config.name}: ")
    assert "failed after 4 attempt(s)" in message and "503" in message
    assert "demo-token" not in message
    assert cursor(warehouse, config, case) == before
    assert count(warehouse, case) == expected(world_dir, case)
    emulator.clear_failures()  # the outage is over
    run(warehouse, config, case.object_name)
    assert count(warehouse, case) == expected(world_dir, case) + 1


PAGE_SIZE = {"surveymonkey": "per_page", "typeform": "page_size", "delighted": "per_page"}
PAGED_CASES = [c for c in ALL_CASES if c.source_type in PAGE_SIZE or c.source_type in ("hubspot", "salesforce")]


@pytest.mark.parametrize("case", PAGED_CASES, ids=[c.id for c in PAGED_CASES])
def test_a_run_failing_half_way_resumes_and_misses_nothing(case: Case, emulator, warehouse, world_dir, monkeypatch):
    config = small_pages(case, emulator, monkeypatch, size=page_size(case))
    emulator.fail_next(case.source_type, 503, count=100, skip=3)

    with pytest.raises(ApiError):
        run(warehouse, config, case.object_name)
    landed_before_failure = count(warehouse, case)
    emulator.clear_failures()
    run(warehouse, config, case.object_name)

    assert 0 < landed_before_failure < expected(world_dir, case)
    assert count(warehouse, case) == expected(world_dir, case)


@pytest.mark.parametrize("case", PAGED_CASES, ids=[c.id for c in PAGED_CASES])
@pytest.mark.parametrize("edge", ["exact multiple of the page size", "partial last page"])
def test_pagination_reads_every_page_to_the_last(case: Case, edge: str, emulator, warehouse, world_dir, monkeypatch):
    size = page_size(case)
    total = expected(world_dir, case)
    added = (-total) % size if edge == "exact multiple of the page size" else (1 if total % size == 0 else 0)
    for number in range(added):
        add_new(emulator, case, number)
    config = small_pages(case, emulator, monkeypatch, size=size)

    result = run(warehouse, config, case.object_name)

    assert (count(warehouse, case) % size == 0) == (edge == "exact multiple of the page size")
    assert count(warehouse, case) == total + added
    assert result.pages >= (total + added) // size


def page_size(case: Case) -> int:
    """Small enough for several pages of this object in the test world (tens of responses,
    hundreds of CRM records)."""
    return 10 if case.world_kind == "responses" else 100


def small_pages(case: Case, emulator, monkeypatch, size: int):
    """The connector configured (or, where the page size is fixed, patched) to read `size` per page,
    and landing each page in a transaction of its own (as larger pages would be)."""
    monkeypatch.setattr("ingestion.ingest.LANDING_BATCH_RECORDS", size)
    if case.source_type == "hubspot":
        monkeypatch.setattr("ingestion.connectors.hubspot.LIST_LIMIT", size)
        return source_config(emulator, case.source_type)
    if case.source_type == "salesforce":
        # Salesforce pages hold at least 200 records; the emulator is told to cut smaller ones.
        monkeypatch.setattr("ingestion.emulators.salesforce._batch_size", lambda header: size)
        return source_config(emulator, case.source_type)
    return source_config(emulator, case.source_type, **{PAGE_SIZE[case.source_type]: size})


MALFORMED = {
    # connector -> (vendor_overrides that spoil one record, words the quarantine reason holds)
    "qualtrics": ({"values": {"QID1": 10, "QID1_NPS_GROUP": 1}}, "QID1 is 10 (promoter) but QID1_NPS_GROUP is 1 (detractor)"),
    "surveymonkey": ({"pages": [{"id": PAGE_ID, "questions": [{"id": NPS_QUESTION, "answers": [{"choice_id": "42"}]}]}]}, "not one of its 0..10 choices"),
    "typeform": ({"answers": [{"field": {"id": "x", "ref": "nps", "type": "nps"}, "type": "number", "number": 12}]}, "invalid score 12"),
    "delighted": ({"score": 11}, "invalid score 11"),
    "hubspot-companies": ({"createdate": "last tuesday"}, "invalid createdate 'last tuesday'"),
    "hubspot-contacts": ({"createdate": "last tuesday"}, "invalid createdate 'last tuesday'"),
    "hubspot-deals": ({"amount": "lots"}, "invalid amount 'lots'"),
    "salesforce-accounts": ({"CreatedDate": "yesterday"}, "invalid CreatedDate 'yesterday'"),
    "salesforce-contacts": ({"CreatedDate": "yesterday"}, "invalid CreatedDate 'yesterday'"),
    "salesforce-opportunities": ({"Amount": "lots"}, "invalid Amount 'lots'"),
}  # fmt: skip


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_malformed_records_are_quarantined_and_the_run_goes_on(case: Case, emulator, warehouse, world_dir):
    overrides, reason = MALFORMED.get(case.id, MALFORMED.get(case.source_type))
    add_new(emulator, case, 1, vendor_overrides=overrides)
    add_new(emulator, case, 2)
    config = source_config(emulator, case.source_type)

    result = run(warehouse, config, case.object_name)
    rerun = run(warehouse, config, case.object_name, full_refresh=True)

    assert result.counts.quarantined == 1
    assert rerun.counts.quarantined == 0  # the same bad record is quarantined once
    assert count(warehouse, case) == expected(world_dir, case) + 1
    rows = warehouse.execute("select _source, object, reason, payload from raw.quarantine")
    assert len(rows) == 1
    source, object_name, found_reason, payload = rows[0]
    assert (source, object_name) == (config.name, case.object_name)
    assert reason in found_reason
    assert json.loads(payload)  # the record as received


@pytest.mark.parametrize("case", SURVEY_CASES, ids=[c.id for c in SURVEY_CASES])
def test_survey_mapping_fills_the_canonical_response(case: Case, emulator, warehouse):
    row = existing(emulator, case)
    run(warehouse, source_config(emulator, case.source_type), case.object_name)

    found = warehouse.execute(
        f"""select score, customer_id, product, process, employee_id, survey_type, channel, language
            from {case.table} where responded_at = ? and coalesce(customer_id, '') = ?""",
        (row["responded_at"], row["customer_id"]),
    )

    assert found == [
        (int(row["score"]), row["customer_id"] or None, row["product"], row["process"] or None,
         row["employee_id"] or None, row["survey_type"], row["channel"], row["language"])
    ]  # fmt: skip


def test_a_rejected_token_is_a_clear_error_without_the_token(emulator, warehouse):
    config = source_config(emulator, "hubspot", access_token="wrong-s3cret-token")

    with pytest.raises(ApiError) as failure:
        run(warehouse, config, "companies")

    assert failure.value.status == 401 and failure.value.code == "INVALID_AUTHENTICATION"
    assert "401 Unauthorized: Authentication credentials not found." in str(failure.value)
    assert "wrong-s3cret-token" not in str(failure.value)

