"""An erasure sticks: the source still serves the person, and landing drops their records (counted
as suppressed, stored nowhere), on DuckDB and PostgreSQL. The list holds keyed hashes only."""
from datetime import UTC, datetime

import pytest

from ingestion.connectors.crm_tables import HUBSPOT_TABLES
from ingestion.erasure import forget_customer
from ingestion.landing import Batch, QuarantineRecord, land_batch
from ingestion.raw_tables import responses_table
from ingestion.suppression import ErasureKeyError

RESPONSES, COMPANIES, CONTACTS, DEALS = (
    responses_table("qualtrics"), HUBSPOT_TABLES["companies"], HUBSPOT_TABLES["contacts"], HUBSPOT_TABLES["deals"],
)  # fmt: skip


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("NPS_PSEUDONYM_KEY", "first-key")


def record(table, modified: int = 1, **values) -> dict:
    row = {column: None for column in table.columns} | values
    row["payload"] = dict(values)
    row["_modified_at"] = datetime(2026, 3, modified, tzinfo=UTC)
    return row


def responses():
    return [
        record(RESPONSES, response_id="r1", customer_id="C1", score=3, survey_type="transactional"),
        record(RESPONSES, response_id="r2", customer_email=" Kim@Example.COM", score=9, survey_type="transactional"),
        record(RESPONSES, response_id="r3", customer_id="H1", score=7, survey_type="transactional"),  # CRM account id
        record(RESPONSES, response_id="r4", customer_id="C12", customer_email="jo@example.com", score=10, survey_type="transactional"),
    ]  # fmt: skip


def crm():
    return [
        (COMPANIES, [record(COMPANIES, id="H1", customer_id="C1"), record(COMPANIES, id="H2", customer_id="C2")]),
        (CONTACTS, [
            record(CONTACTS, id="P1", company_id="H1", email="kim@example.com"),
            record(CONTACTS, id="P2", company_id="H2", email="KIM@example.com"),  # the person at another customer
            record(CONTACTS, id="P3", company_id="H2", email="jo@example.com"),
        ]),
        (DEALS, [record(DEALS, id="D1", company_id="H1"), record(DEALS, id="D2", company_id="H2")]),
    ]


def land(warehouse, table, records=(), quarantined=(), data_dir=None):
    return land_batch(
        warehouse, table, "src", table.name.split("__")[1], Batch(list(records), list(quarantined)), "run", data_dir
    )


def land_everything(warehouse, data_dir=None) -> dict[str, int]:
    """Land the whole source; returns records suppressed per table."""
    bad = QuarantineRecord("page 1", "missing response time", '{"id": "r9", "person": {"email": "kim@example.com"}}')
    other = QuarantineRecord("page 1", "missing response time", '{"id": "r8", "customer_id": "C12"}')
    suppressed = {t.name: land(warehouse, t, rows, data_dir=data_dir).suppressed for t, rows in crm()}
    suppressed[RESPONSES.name] = land(warehouse, RESPONSES, responses(), [bad, other], data_dir).suppressed
    return suppressed


def ids(warehouse, table) -> list[str]:
    key = "response_id" if table is RESPONSES else "id"
    return [row[0] for row in warehouse.execute(f"select {key} from {table.qualified_name} order by 1")]


def test_a_full_reload_after_an_erasure_drops_the_person_and_counts_them(warehouse):
    land_everything(warehouse)

    erasure = forget_customer(warehouse, "C1")
    suppressed = land_everything(warehouse)

    assert erasure.deleted == {
        "hubspot__companies": 1, "hubspot__contacts": 2, "hubspot__deals": 1, "hubspot__tasks": 0,
        "hubspot__notes": 0, "salesforce__accounts": 0, "salesforce__contacts": 0,
        "salesforce__opportunities": 0, "salesforce__tasks": 0, "csv__responses": 0,
        "qualtrics__responses": 3, "surveymonkey__responses": 0, "typeform__responses": 0,
        "delighted__responses": 0, "quarantine": 1, "writeback_state": 0, "pseudonyms": 0,
    }  # fmt: skip
    assert erasure.identifiers_added == 3  # customer number, account id, address
    assert suppressed == {"hubspot__companies": 1, "hubspot__contacts": 2, "hubspot__deals": 1, "qualtrics__responses": 4}
    assert [ids(warehouse, t) for t in (COMPANIES, CONTACTS, DEALS, RESPONSES)] == [["H2"], ["P3"], ["D2"], ["r4"]]
    assert warehouse.execute("select record_ref, payload from raw.quarantine") == [
        ("page 1", '{"id": "r8", "customer_id": "C12"}')
    ]
    stored = " ".join(str(row) for row in warehouse.execute("select * from raw.erased_identifiers"))
    assert not any(value in stored for value in ("C1", "H1", "kim@"))


def test_an_account_first_seen_after_the_erasure_takes_its_contacts_and_deals_with_it(warehouse):
    forget_customer(warehouse, "C1")  # the CRM had not been loaded yet: only the customer number is known

    suppressed = land_everything(warehouse)

    # The account's id comes from its dropped record, the address from its dropped contact.
    assert suppressed == {"hubspot__companies": 1, "hubspot__contacts": 2, "hubspot__deals": 1, "qualtrics__responses": 4}
    assert [ids(warehouse, t) for t in (COMPANIES, CONTACTS, DEALS, RESPONSES)] == [["H2"], ["P3"], ["D2"], ["r4"]]


def test_without_the_key_it_was_written_with_nothing_lands(warehouse, monkeypatch):
    forget_customer(warehouse, "C1")

    monkeypatch.setenv("NPS_PSEUDONYM_KEY", "another-key")
    with pytest.raises(ErasureKeyError, match="not the one"):
        land(warehouse, RESPONSES, responses())
    monkeypatch.delenv("NPS_PSEUDONYM_KEY")
    with pytest.raises(ErasureKeyError, match="set \\$NPS_PSEUDONYM_KEY"):
        land(warehouse, RESPONSES, responses())

    assert ids(warehouse, RESPONSES) == []


def test_an_erasure_without_a_key_refuses_before_deleting_anything(warehouse, monkeypatch):
    land(warehouse, RESPONSES, responses())
    monkeypatch.delenv("NPS_PSEUDONYM_KEY")

    with pytest.raises(ErasureKeyError):
        forget_customer(warehouse, "C1")

    assert ids(warehouse, RESPONSES) == ["r1", "r2", "r3", "r4"]


def test_the_installation_key_file_serves_when_the_environment_has_none(warehouse, monkeypatch, tmp_path):
    monkeypatch.delenv("NPS_PSEUDONYM_KEY")
    forget_customer(warehouse, "C1", ["kim@example.com"], data_dir=tmp_path / "data")

    counts = land(warehouse, RESPONSES, responses(), data_dir=tmp_path / "data")

    assert (counts.fetched, counts.suppressed, counts.landed) == (4, 2, 2)  # r3's account id was never known
    assert (tmp_path / "data" / "pseudonym.key").stat().st_mode & 0o077 == 0


def test_forgetting_twice_adds_nothing_to_the_list(warehouse):
    land_everything(warehouse)

    first, second = forget_customer(warehouse, "C1"), forget_customer(warehouse, "C1")

    assert (first.identifiers_added, second.identifiers_added, sum(second.deleted.values())) == (3, 0, 0)
    assert warehouse.execute("select count(*) from raw.erasure_log") == [(2,)]
