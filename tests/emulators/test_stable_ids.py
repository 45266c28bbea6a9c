"""Every vendor id the emulators hand out is a function of the world record's own key: the same world
one day longer (first day dropped, a day added) serves every record it shares with the shorter one
under the same Delighted id, Typeform token, SurveyMonkey id, Qualtrics ResponseID, HubSpot id and
Salesforce Id."""
from datetime import date, timedelta

import pytest

from ingestion.emulators import delighted, qualtrics, surveymonkey, typeform
from ingestion.emulators.hubspot import ID_BASE
from ingestion.emulators.salesforce import record_id
from ingestion.emulators.world import OTHER_NUMBERS_FROM, EmulatedWorld, world_number
from ingestion.synthetic import WorldSpec, write_world

SPEC = WorldSpec(seed=3, responses=400, end_date=date(2025, 6, 15), months=2)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    shorter, longer = tmp_path_factory.mktemp("shorter"), tmp_path_factory.mktemp("longer")
    write_world(SPEC, shorter)
    write_world(WorldSpec(seed=SPEC.seed, responses=SPEC.responses, end_date=SPEC.end_date + timedelta(days=1), months=SPEC.months), longer)
    return EmulatedWorld.load(shorter), EmulatedWorld.load(longer)


def vendor_ids(kind: str, row: dict) -> tuple:
    if kind == "responses":
        return (
            delighted.response(row, expand_person=False)["id"], typeform.response_token(row),
            surveymonkey.response_id(row), qualtrics.response_id(row),
        )  # fmt: skip
    sobject = {"customers": "Account", "contacts": "Contact", "deals": "Opportunity", "activities": "Task"}[kind]
    hubspot = {"customers": "companies", "contacts": "contacts", "deals": "deals", "activities": "tasks"}[kind]
    return ID_BASE[hubspot] + row["_number"], record_id(sobject, row["_number"])


@pytest.mark.parametrize("kind", ["responses", "customers", "contacts", "deals", "activities"])
def test_records_in_both_worlds_keep_their_vendor_ids(worlds, kind):
    shorter, longer = worlds
    shared = set(shorter.records[kind]) & set(longer.records[kind])
    assert shared

    assert {key: vendor_ids(kind, shorter.records[kind][key]) for key in shared} == {
        key: vendor_ids(kind, longer.records[kind][key]) for key in shared
    }
    if kind == "responses":  # the window moved: a day dropped, a day added
        assert set(shorter.records[kind]) - shared and set(longer.records[kind]) - shared


def test_vendor_ids_are_unique_within_a_kind(worlds):
    for world in worlds:
        for kind, records in world.records.items():
            ids = [vendor_ids(kind, row) for row in records.values()]
            assert len(set(ids)) == len(ids), kind


def test_only_keys_in_the_worlds_own_format_are_read_as_numbers():
    assert world_number("responses", "R2026100000001") == 2026100000001
    assert world_number("customers", "C00000002") == 2
    assert world_number("customers", "C0000002") is None  # not as the world writes it
    assert world_number("responses", "RNEW000001") is None
    assert world_number("activities", "A-R2026100000001") == 2026100000001


def test_records_added_later_are_numbered_after_the_world_and_keep_their_number():
    world = EmulatedWorld()
    world.upsert("customers", {"customer_id": "C00000007", "name": "From the world"})
    first = world.upsert("customers", {"customer_id": "added-by-a-test", "name": "Added"})
    world.upsert("customers", {"customer_id": "another", "name": "Another"})
    again = world.upsert("customers", {"customer_id": "added-by-a-test", "name": "Renamed"})

    assert first["_number"] >= OTHER_NUMBERS_FROM
    assert again["_number"] == first["_number"]
    assert world.by_number("customers", first["_number"])["name"] == "Renamed"
    assert [row["customer_id"] for row in world.select("customers")] == ["C00000007", "added-by-a-test", "another"]
