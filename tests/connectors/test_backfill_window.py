"""A backfill's window: every connector re-fetches what falls in it (and nothing else), lands it
without duplicates, and leaves the incremental cursor where it was."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from emulated import ALL_CASES, Case, count, cursor, expected, source_config

from ingestion.connectors.csv_export import CsvSourceConfig
from ingestion.ingest import ingest
from ingestion.landing import read_cursor
from ingestion.window import Window

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Local days 15 January .. 19 February 2025 of the world (which spans 2025 Q1), cut in Amsterdam.
WINDOW = Window(datetime(2025, 1, 15, tzinfo=AMSTERDAM), datetime(2025, 2, 20, tzinfo=AMSTERDAM))


def in_window(emulator, case: Case) -> int:
    """World records a backfill of WINDOW must fetch: responses by when they were answered, CRM
    records by their last change."""
    equal = {"survey_tool": case.source_type} if case.world_kind == "responses" else {}
    rows = emulator.world.select(case.world_kind, **equal)
    if case.world_kind == "responses":
        return sum(row.moment("responded_at") in WINDOW for row in rows)
    return sum(row["_modified_at"] in WINDOW for row in rows)


def landed_in_window(case: Case) -> str:
    column = "responded_at" if case.world_kind == "responses" else "_modified_at"
    return f"{column} >= '{WINDOW.start.isoformat()}' and {column} < '{WINDOW.end.isoformat()}'"


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_a_backfill_restores_its_window_without_duplicates_or_moving_the_cursor(case: Case, emulator, warehouse, world_dir):
    config = source_config(emulator, case.source_type)
    ingest(warehouse, config, case.object_name, batch_id="nightly")
    cursor_before = cursor(warehouse, config, case)
    wanted = in_window(emulator, case)
    assert 0 < wanted < expected(world_dir, case)
    # The window's landed rows are lost, and one of them is damaged instead of lost.
    damaged_key = warehouse.execute(f"select {', '.join(('_source', *key_columns(case)))} from {case.table} where {landed_in_window(case)} limit 1")[0]
    warehouse.execute(f"update {case.table} set payload = '{{}}' where {key_match(case)}", damaged_key)
    deleted = warehouse.execute(f"select count(*) from {case.table} where {landed_in_window(case)} and not ({key_match(case)})", damaged_key)[0][0]
    warehouse.execute(f"delete from {case.table} where {landed_in_window(case)} and not ({key_match(case)})", damaged_key)

    result = ingest(warehouse, config, case.object_name, batch_id="backfill", window=WINDOW)

    assert result.counts.fetched == wanted  # the window, not the whole source
    assert (result.counts.landed, result.counts.updated, result.counts.quarantined) == (deleted, 1, 0)
    assert count(warehouse, case) == expected(world_dir, case)
    keys = ", ".join(("_source", *key_columns(case)))
    assert warehouse.execute(f"select count(*) from (select distinct {keys} from {case.table}) as k")[0][0] == expected(world_dir, case)
    assert cursor(warehouse, config, case) == cursor_before


def key_columns(case: Case) -> tuple[str, ...]:
    from ingestion.connectors import CONNECTORS

    return CONNECTORS[case.source_type].tables[case.object_name].key


def key_match(case: Case) -> str:
    return " and ".join(f"{column} = ?" for column in ("_source", *key_columns(case)))


def test_a_csv_backfill_rereads_every_file_and_lands_the_rows_of_its_window(tmp_path, warehouse):
    (tmp_path / "exports").mkdir()
    header = "response_id,responded_at,score\n"
    (tmp_path / "exports" / "a.csv").write_text(header + "r1,2025-01-14T22:59:59Z,9\nr2,2025-01-14T23:00:00Z,3\nbad,2025-01-20T10:00:00Z,eleven\n")
    (tmp_path / "exports" / "b.csv").write_text(header + "r3,2025-02-19T22:59:59Z,7\nr4,2025-02-19T23:00:00Z,10\n")
    config = CsvSourceConfig(name="exports", path=tmp_path / "exports" / "*.csv")
    ingest(warehouse, config, "responses", batch_id="nightly")
    cursor_before = read_cursor(warehouse, "exports", "responses")
    warehouse.execute("delete from raw.csv__responses")

    result = ingest(warehouse, config, "responses", batch_id="backfill", window=WINDOW)

    # 23:00 UTC on 14 January is midnight in Amsterdam: r2 and r3 are in the window, r1 and r4 not.
    landed = [row[0] for row in warehouse.execute("select response_id from raw.csv__responses order by 1")]
    assert landed == ["r2", "r3"]
    assert (result.counts.landed, result.counts.quarantined) == (2, 0)  # "bad" is quarantined already
    assert warehouse.execute("select count(*) from raw.quarantine where _source = 'exports'")[0][0] == 1
    assert read_cursor(warehouse, "exports", "responses") == cursor_before
