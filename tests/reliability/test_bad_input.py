"""Every source meets the bad-input corpus (tests/reliability/corpus): each record lands intact or is
quarantined with a reason naming its problem, and the rest of the batch lands."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ingestion.connectors.csv_export import CANONICAL_COLUMNS
from ingestion.ingest import ingest
from orchestration.config import parse_config
from tests.connectors.emulated import ALL_CASES, Case, add_new, count, expected, run, source_config
from tests.reliability.corpus import Entry
from tests.reliability.corpus.crm_records import CRM
from tests.reliability.corpus.csv_rows import CSV_ROWS, VALID_ROW
from tests.reliability.corpus.survey_responses import SURVEYS

CORPUS = {case.id: SURVEYS.get(case.source_type) or CRM[case.id] for case in ALL_CASES}


def test_the_corpus_holds_at_least_50_records_across_every_source():
    sizes = {source: len(entries) for source, entries in {**CORPUS, "csv-responses": CSV_ROWS}.items()}

    assert sum(sizes.values()) >= 50
    assert all(size >= 3 for size in sizes.values()), sizes
    for entries in [*CORPUS.values(), CSV_ROWS]:
        reasons = [e.reason for e in entries if e.reason]
        assert len(set(reasons)) == len(reasons), "each reason identifies one record"


def _assert_outcome(warehouse, table: str, source: str, entries: list[Entry]) -> None:
    rows = warehouse.execute("select _source, reason from raw.quarantine")
    assert {s for s, _ in rows} == {source}
    reasons = [reason for _, reason in rows]
    for entry in entries:
        if entry.reason is None:
            where = " and ".join(f"{column} = ?" for column in entry.lands)
            found = warehouse.execute(f"select count(*) from {table} where {where}", tuple(entry.lands.values()))[0][0]
            assert found == 1, f"{entry.name}: expected it landed intact once, found {found}"
        else:
            matching = [r for r in reasons if entry.reason in r]
            assert len(matching) == 1, f"{entry.name}: expected one quarantine reason holding {entry.reason!r}, found {reasons}"
    assert len(reasons) == sum(1 for e in entries if e.reason)


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_api_records_land_intact_or_are_quarantined_with_their_reason(case: Case, emulator, warehouse, world_dir):
    entries = CORPUS[case.id]
    for number, entry in enumerate(entries, start=1):
        add_new(emulator, case, number, **entry.world, vendor_overrides=entry.vendor)
    add_new(emulator, case, 900)  # valid records before and after the bad ones
    config = source_config(emulator, case.source_type)

    result = run(warehouse, config, case.object_name)

    landed = sum(1 for e in entries if e.reason is None)
    quarantined = len(entries) - landed
    assert result.counts.quarantined == quarantined
    assert result.counts.landed == expected(world_dir, case) + landed + 1
    assert count(warehouse, case) == expected(world_dir, case) + landed + 1
    _assert_outcome(warehouse, case.table, config.name, entries)


def _write_export(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CANONICAL_COLUMNS)
        writer.writeheader()
        writer.writerow({**VALID_ROW, "response_id": "good-first"})
        for number, entry in enumerate(CSV_ROWS, start=1):
            writer.writerow({**VALID_ROW, "response_id": f"bad-{number:02d}", **entry.world})
        handle.write("good-extra,2026-03-02T09:00:00Z,9,,,,,,,,,,one field too many\n")
        writer.writerow({**VALID_ROW, "response_id": "good-last"})


def test_csv_rows_land_intact_or_are_quarantined_with_their_reason(tmp_path, warehouse):
    _write_export(tmp_path / "export.csv")
    config = parse_config({"sources": [{"name": "exports", "type": "csv", "path": "*.csv"}]}, home=tmp_path).sources[0]

    result = ingest(warehouse, config, "responses", batch_id="corpus")

    extra_field = "row has 13 fields, the header 12"
    entries = [*CSV_ROWS, Entry("one field too many", extra_field)]
    landed = sum(1 for e in entries if e.reason is None)
    assert (result.counts.landed, result.counts.quarantined) == (landed + 2, len(entries) - landed)
    _assert_outcome(warehouse, "raw.csv__responses", "exports", entries)
    ids = {r for (r,) in warehouse.execute("select response_id from raw.csv__responses")}
    assert {"good-first", "good-last"} <= ids
    # Quarantined with the row as read: the bad rows (one without a response id) and the long one.
    quarantined_ids = sorted(json.loads(p)["response_id"] for (p,) in warehouse.execute("select payload from raw.quarantine"))
    bad_ids = [f"bad-{n:02d}" for n, e in enumerate(CSV_ROWS, start=1) if e.reason and "response_id" not in e.world]
    assert quarantined_ids == sorted(["", "good-extra", *bad_ids])
