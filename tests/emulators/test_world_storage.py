"""The emulated world keeps its records compactly (rows.py, records.py); read back, every record is
the CSV row it was read from, and changes made after loading are what the vendors then serve."""
import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.connectors.fields import timestamp
from ingestion.emulators.world import KEYS, MODIFIED_FROM, OTHER_NUMBERS_FROM, EmulatedWorld, world_number

CSV_KINDS = {"customers": "crm/customers.csv", "contacts": "crm/contacts.csv", "deals": "crm/deals.csv", "responses": "responses/*.csv"}


def csv_rows(world_dir: Path, kind: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted(world_dir.glob(CSV_KINDS[kind])):
        with path.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


@pytest.fixture(scope="module")
def world(world_dir) -> EmulatedWorld:
    return EmulatedWorld.load(world_dir)


@pytest.mark.parametrize("kind", list(CSV_KINDS))
def test_every_record_reads_back_as_its_csv_row(world, world_dir, kind):
    expected = {}
    for row in csv_rows(world_dir, kind):
        moments = [timestamp(row[name] or None, name) for name in MODIFIED_FROM[kind]]
        modified = max(m for m in moments if m is not None)
        expected[row[KEYS[kind]]] = {**row, "_modified_at": modified, "_number": world_number(kind, row[KEYS[kind]])}

    assert {key: dict(row) for key, row in world.records[kind].items()} == expected
    assert [row["_number"] for row in world.select(kind)] == sorted(r["_number"] for r in expected.values())


def test_a_record_changed_after_loading_keeps_its_other_values_and_is_served_as_changed(world_dir):
    world = EmulatedWorld.load(world_dir)
    before = world.select("responses", survey_tool="delighted")[0]
    key = before["response_id"]

    changed = world.upsert("responses", {"response_id": key, "score": "0", "comment": "changed"})

    assert dict(changed) == {**before, "score": "0", "comment": "changed", "_modified_at": world.clock}
    assert world.records["responses"][key] == changed
    assert world.by_number("responses", before["_number"]) == changed
    served = world.select("responses", survey_tool="delighted")
    assert [r["response_id"] for r in served if r["comment"] == "changed"] == [key]
    assert len(served) == len(set(r["response_id"] for r in served))


def test_a_record_added_after_loading_is_found_by_key_and_by_number(world_dir):
    world = EmulatedWorld.load(world_dir)
    template = {k: v for k, v in world.select("deals")[0].items() if not k.startswith("_")}

    added = world.upsert("deals", {**template, "deal_id": "DNEW000001"})

    assert added["_number"] >= OTHER_NUMBERS_FROM
    assert world.select("deals")[-1] == added
    assert world.number("deals", "DNEW000001") == added["_number"]
    assert world.by_number("deals", added["_number"])["deal_id"] == "DNEW000001"


def test_a_row_read_before_a_change_keeps_what_it_read_and_a_new_column_is_only_the_changed_records(world_dir):
    world = EmulatedWorld.load(world_dir)
    first, second = world.select("customers")[:2]
    before = dict(first)

    world.upsert("customers", {"customer_id": first["customer_id"], "vendor_overrides": {"nps_latest": "9"}})

    assert dict(first) == before
    assert world.records["customers"][first["customer_id"]]["vendor_overrides"] == {"nps_latest": "9"}
    assert "vendor_overrides" not in second and second.get("vendor_overrides") is None
    assert dict(world.select("customers")[1]) == dict(second)


def test_values_not_in_the_worlds_own_form_are_kept_as_written(tmp_path):
    (tmp_path / "crm").mkdir()
    header = "customer_id,name,created_at,churned_at,checked_at"
    lines = [
        "C00000001,Plain,2025-01-02T03:04:05Z,,2025-01-03T00:00:00Z",
        "c-7,Odd key,2025-01-02T03:04:05.250+01:00,2025-03-01T00:00:00+00:00,2025-02-30T00:00:00Z",
    ]
    (tmp_path / "crm" / "customers.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")

    customers = EmulatedWorld.load(tmp_path).records["customers"]

    assert [{k: v for k, v in row.items() if not k.startswith("_")} for row in customers.values()] == [
        dict(zip(header.split(","), line.split(","))) for line in lines
    ]
    assert customers["C00000001"]["_modified_at"] == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert customers["c-7"]["_modified_at"] == datetime(2025, 3, 1, tzinfo=UTC)
    assert customers["c-7"]["_number"] == OTHER_NUMBERS_FROM
    assert customers["c-7"].moment("created_at") == datetime(2025, 1, 2, 2, 4, 5, 250000, tzinfo=UTC)


def test_of_two_lines_with_one_key_the_later_is_kept(tmp_path):
    (tmp_path / "crm").mkdir()
    lines = ["customer_id,name,created_at", "C00000002,First,2025-01-01T00:00:00Z", "C00000001,Other,2025-01-01T00:00:00Z", "C00000002,Later,2025-01-02T00:00:00Z"]
    (tmp_path / "crm" / "customers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    world = EmulatedWorld.load(tmp_path)

    assert [(row["customer_id"], row["name"]) for row in world.select("customers")] == [("C00000001", "Other"), ("C00000002", "Later")]


def test_a_line_with_too_few_values_is_refused_with_its_file_and_line(tmp_path):
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "customers.csv").write_text("customer_id,name,created_at\nC00000001,Plain\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"customers\.csv, line 2: expected 3 values .*found 2"):
        EmulatedWorld.load(tmp_path)
