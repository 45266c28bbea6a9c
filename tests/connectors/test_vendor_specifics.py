"""Behaviour particular to one vendor's API, and the shared HTTP layer's fault handling."""
from __future__ import annotations

import io

import pytest
from emulated import CRM_CASES, Case, add_new, count, expected, run, source_config

from ingestion.http import ApiError, HttpClient, HttpSettings, _retry_after_seconds

CONTACTS = Case("hubspot", "contacts", "contacts")


def test_hubspot_search_slices_its_window_at_the_result_cap(emulator, warehouse, world_dir, monkeypatch):
    # With a cap of 20 results per search query, 45 changes need three queries.
    monkeypatch.setattr("ingestion.connectors.hubspot.SEARCH_LIMIT", 5)
    monkeypatch.setattr("ingestion.connectors.hubspot.SEARCH_MAX_RESULTS", 20)
    monkeypatch.setattr("ingestion.emulators.hubspot.SEARCH_CAP", 20)
    config = source_config(emulator, "hubspot")
    run(warehouse, config, "contacts")
    for number in range(45):
        add_new(emulator, CONTACTS, number)

    result = run(warehouse, config, "contacts")

    assert result.counts.landed == 45
    assert count(warehouse, CONTACTS) == expected(world_dir, CONTACTS) + 45
    searches = [r for r in emulator.requests if r[0] == "hubspot" and r[2].endswith("/search")]
    assert len(searches) >= 10  # 45+ results at 5 per page


def test_hubspot_contacts_and_deals_carry_their_company(emulator, warehouse):
    config = source_config(emulator, "hubspot")
    for object_name in ("companies", "contacts", "deals"):
        run(warehouse, config, object_name)

    orphans = warehouse.execute(
        """select count(*) from raw.hubspot__contacts as c
           left join raw.hubspot__companies as co on c.company_id = co.id where co.id is null"""
    )
    deal_customers = warehouse.execute(
        """select count(*) from raw.hubspot__deals as d
           join raw.hubspot__companies as co on d.company_id = co.id"""
    )

    assert orphans == [(0,)]
    assert deal_customers == [(count(warehouse, Case("hubspot", "deals", "deals")),)]


def test_salesforce_quota_exhaustion_is_not_retried(emulator, warehouse):
    emulator.vendors["salesforce"].daily_limit = 0
    config = source_config(emulator, "salesforce")

    with pytest.raises(ApiError) as failure:
        run(warehouse, config, "accounts")

    assert failure.value.status == 403 and failure.value.code == "REQUEST_LIMIT_EXCEEDED"
    assert "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded." in str(failure.value)
    assert emulator.request_count("salesforce") == 1


def test_typeform_is_read_within_two_requests_per_second(emulator, warehouse, world_dir):
    emulator.faults.enforce_rate_limits = True
    case = Case("typeform", "responses", "responses")
    config = source_config(emulator, "typeform", page_size=20, http={"requests_per_second": None})

    result = run(warehouse, config, "responses")

    assert result.retries == 0  # the client's own limit kept it under Typeform's
    assert count(warehouse, case) == expected(world_dir, case)


def test_typeform_rate_limit_replies_are_waited_out(emulator, warehouse, world_dir):
    emulator.faults.enforce_rate_limits = True
    case = Case("typeform", "responses", "responses")
    # Waits of a quarter of what Typeform asks for: a few retries per page, whatever the emulator's speed.
    config = source_config(emulator, "typeform", page_size=10, http={"max_attempts": 20, "server_wait_scale": 0.25})

    result = run(warehouse, config, "responses")

    assert result.retries > 0
    assert count(warehouse, case) == expected(world_dir, case)


@pytest.mark.parametrize("fault", ["truncate", "timeout"])
def test_cut_off_and_timed_out_replies_are_retried(fault, emulator, warehouse, world_dir):
    emulator.faults.timeout_seconds = 0.5
    case = CRM_CASES[0]
    config = source_config(emulator, case.source_type, http={"read_timeout_seconds": 0.2})
    emulator.fail_next(case.source_type, 200, count=1, fault=fault)

    result = run(warehouse, config, case.object_name)

    assert result.retries == 1
    assert count(warehouse, case) == expected(world_dir, case)


def test_pages_served_twice_land_once(emulator, warehouse, world_dir):
    emulator.faults.duplicate_page_rate = 0.5
    for case in CRM_CASES[:3]:  # HubSpot: 100 per page
        result = run(warehouse, source_config(emulator, "hubspot"), case.object_name)

        needed = -(-expected(world_dir, case) // 100)
        assert result.pages > needed  # some pages came twice
        assert count(warehouse, case) == expected(world_dir, case)


def test_retry_after_reads_seconds_and_http_dates():
    assert _retry_after_seconds("7") == 7.0
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert _retry_after_seconds("soon") is None


def test_errors_never_show_the_secret(emulator):
    client = HttpClient(
        "crm", emulator.base_url + "/hubspot", HttpSettings(max_attempts=1), default_requests_per_second=100,
        headers={"Authorization": "Bearer not-the-s3cret"}, secrets=("not-the-s3cret",),
    )
    with client, pytest.raises(ApiError) as failure:
        client.get_json("crm/v3/objects/companies?hapikey=not-the-s3cret")

    assert "not-the-s3cret" not in str(failure.value)
    assert "hapikey=***" in str(failure.value)


def test_download_cut_off_midway_is_fetched_again_from_the_start(emulator, monkeypatch):
    # An export is streamed to disk: the retry must start the file over, not append to the half received.
    from ingestion.connectors.qualtrics import client, export

    monkeypatch.setattr("ingestion.http.DOWNLOAD_CHUNK_BYTES", 1024)  # the cut comes after some chunks

    config = source_config(emulator, "qualtrics")
    survey_id = config.surveys[0].survey_id
    emulator.fail_next("qualtrics", 200, count=1, fault="truncate", path_contains="/file")
    with client(config) as http:
        retried, clean = io.BytesIO(), io.BytesIO()
        export(http, config, survey_id, None, retried)
        export(http, config, survey_id, None, clean)

    assert http.stats.retries == 1
    assert retried.getvalue() == clean.getvalue() and len(clean.getvalue()) > 0


def test_qualtrics_export_line_that_is_not_a_response_is_quarantined(emulator, warehouse, world_dir, monkeypatch):
    import ingestion.emulators.qualtrics as emulated

    spoilt = {}
    original = emulated.response

    def sometimes_not_json(row):
        if not spoilt:
            spoilt["id"] = row["response_id"]
            return [1, 2]  # a JSON array, not a response object
        return original(row)

    monkeypatch.setattr(emulated, "response", sometimes_not_json)
    case = Case("qualtrics", "responses", "responses")

    result = run(warehouse, source_config(emulator, "qualtrics"), "responses")

    reasons = warehouse.execute("select reason from raw.quarantine where _source = 'qualtrics'")
    assert result.counts.quarantined == 1 and reasons == [("line 1 of the export is not a JSON object",)]
    assert count(warehouse, case) == expected(world_dir, case) - 1
