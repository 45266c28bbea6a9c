"""The emulators answer as the vendors document: auth, paging limits, error bodies, rate limits."""
from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from pathlib import Path

import pytest
import requests

from ingestion.emulators import Faults, demo_sources, start_emulator
from ingestion.emulators.common import SURVEY_IDS
from orchestration.config import parse_config

BEARER = {"Authorization": "Bearer demo-token"}


@pytest.mark.parametrize(
    ("path", "headers", "status", "body"),
    [
        ("/qualtrics/API/v3/surveys/SV_3kTransactNps/export-responses/ES_x", {"X-API-TOKEN": "nope"}, 401,
         lambda b: b["meta"]["error"]["errorCode"] == "AUTH_INVALID"),
        ("/surveymonkey/v3/surveys/408215101/details", {"Authorization": "Bearer nope"}, 401,
         lambda b: b["error"]["id"] == "1011"),
        ("/typeform/forms/tNpsTx01/responses", {}, 401, lambda b: b["code"] == "AUTHENTICATION_FAILED"),
        ("/delighted/v1/survey_responses.json", {"Authorization": "Bearer demo-token"}, 401,
         lambda b: b == {"status": 401, "message": "Invalid API key"}),
        ("/hubspot/crm/v3/objects/companies", {}, 401, lambda b: b["category"] == "INVALID_AUTHENTICATION"),
        ("/salesforce/services/data/v60.0/query?q=SELECT+Id+FROM+Account", {}, 401,
         lambda b: b == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]),
    ],
    ids=["qualtrics", "surveymonkey", "typeform", "delighted", "hubspot", "salesforce"],
)
def test_requests_without_valid_credentials_get_the_vendors_401(emulator, path, headers, status, body):
    reply = requests.get(emulator.base_url + path, headers=headers, timeout=5)

    assert reply.status_code == status
    assert body(reply.json())


def test_page_sizes_over_the_documented_maximum_are_refused(emulator):
    base = emulator.base_url
    monkey = requests.get(f"{base}/surveymonkey/v3/surveys/408215101/responses/bulk?per_page=101", headers=BEARER, timeout=5)
    typeform = requests.get(f"{base}/typeform/forms/tNpsTx01/responses?page_size=1001", headers=BEARER, timeout=5)
    hubspot = requests.get(f"{base}/hubspot/crm/v3/objects/companies?limit=101", headers=BEARER, timeout=5)
    search = requests.post(f"{base}/hubspot/crm/v3/objects/companies/search", json={"limit": 100, "after": 10_000}, headers=BEARER, timeout=5)

    assert (monkey.status_code, monkey.json()["error"]["id"]) == (400, "1002")
    assert (typeform.status_code, typeform.json()["code"]) == (400, "VALIDATION_ERROR")
    assert (hubspot.status_code, hubspot.json()["category"]) == (400, "VALIDATION_ERROR")
    assert (search.status_code, search.json()["category"]) == (400, "VALIDATION_ERROR")


def test_surveymonkey_replies_carry_its_rate_limit_headers(emulator):
    reply = requests.get(f"{emulator.base_url}/surveymonkey/v3/surveys/408215101/details", headers=BEARER, timeout=5)

    assert reply.headers["X-Ratelimit-App-Global-Minute-Limit"] == "120"
    assert int(reply.headers["X-Ratelimit-App-Global-Minute-Remaining"]) <= 120


def test_salesforce_refuses_soql_it_cannot_run(emulator):
    reply = requests.get(
        f"{emulator.base_url}/salesforce/services/data/v60.0/query", params={"q": "DELETE FROM Account"}, headers=BEARER, timeout=5
    )

    assert reply.status_code == 400
    assert reply.json()[0]["errorCode"] == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"startDate": "2025-02-01"}, "startDate must be an ISO 8601 date-time with a timezone"),
        ({"continuationToken": "x", "startDate": "2025-02-01T00:00:00Z"}, "cannot be combined with other filters"),
    ],
)
def test_qualtrics_refuses_export_filters_it_does_not_take(emulator, body, message):
    url = f"{emulator.base_url}/qualtrics/API/v3/surveys/{SURVEY_IDS['qualtrics']['transactional']}/export-responses"

    reply = requests.post(url, json={"format": "ndjson", **body}, headers={"X-API-TOKEN": "demo-token"}, timeout=5)

    assert reply.status_code == 400
    assert message in reply.json()["meta"]["error"]["errorMessage"]


def test_qualtrics_builds_an_export_once_in_the_background(emulator, monkeypatch):
    """Polls while the file is being written say inProgress (a client whose poll timed out polls
    again: it must neither get a file id whose download is a 404 nor start a second build)."""
    from ingestion.emulators.qualtrics import Qualtrics

    base = f"{emulator.base_url}/qualtrics/API/v3/surveys/{SURVEY_IDS['qualtrics']['transactional']}/export-responses"
    headers = {"X-API-TOKEN": "demo-token"}
    release, builds = threading.Event(), []
    original_build = Qualtrics.build

    def held_build(self, export, rows):
        builds.append(export)
        release.wait(10)
        original_build(self, export, rows)

    monkeypatch.setattr(Qualtrics, "build", held_build)
    progress_id = requests.post(base, json={"format": "ndjson"}, headers=headers, timeout=5).json()["result"]["progressId"]
    while_building = [requests.get(f"{base}/{progress_id}", headers=headers, timeout=5).json()["result"] for _ in range(3)]
    release.set()
    deadline = time.monotonic() + 10
    while (done := requests.get(f"{base}/{progress_id}", headers=headers, timeout=5).json()["result"])["status"] != "complete":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    downloaded = requests.get(f"{base}/{done['fileId']}/file", headers=headers, timeout=5)

    assert [(p["status"], "fileId" in p) for p in while_building] == [("inProgress", False)] * 3
    assert len(builds) == 1
    with zipfile.ZipFile(io.BytesIO(downloaded.content)) as archive:
        lines = archive.read(archive.namelist()[0]).splitlines()
    assert len(lines) == len(emulator.world.select("responses", survey_tool="qualtrics", survey_type="transactional"))


def test_qualtrics_export_polls_then_continues_from_its_token(emulator):
    base = f"{emulator.base_url}/qualtrics/API/v3/surveys/{SURVEY_IDS['qualtrics']['transactional']}/export-responses"
    headers = {"X-API-TOKEN": "demo-token"}

    def export(body: dict) -> tuple[list, str]:
        progress_id = requests.post(base, json=body, headers=headers, timeout=5).json()["result"]["progressId"]
        first = requests.get(f"{base}/{progress_id}", headers=headers, timeout=5).json()["result"]
        assert first["status"] == "inProgress"
        while (done := requests.get(f"{base}/{progress_id}", headers=headers, timeout=5).json()["result"])["status"] != "complete":
            time.sleep(0.02)
        content = requests.get(f"{base}/{done['fileId']}/file", headers=headers, timeout=5).content
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [json.loads(line) for line in archive.read(archive.namelist()[0]).splitlines()], done["continuationToken"]

    everything, token = export({"format": "ndjson", "allowContinuation": True})
    nothing_new, token = export({"format": "ndjson", "continuationToken": token})
    row = next(r for r in emulator.world.select("responses", survey_tool="qualtrics", survey_type="transactional"))
    emulator.world.upsert("responses", {"response_id": row["response_id"], "score": "0"})
    changed, _ = export({"format": "ndjson", "continuationToken": token})

    assert len(everything) == len(emulator.world.select("responses", survey_tool="qualtrics", survey_type="transactional"))
    assert nothing_new == []
    assert [(r["responseId"], r["values"]["QID1"], r["values"]["QID1_NPS_GROUP"]) for r in changed] == [
        (f"R_{row['response_id']}", 0, 1)
    ]


def test_fault_knobs_answer_429_with_retry_after(world_dir):
    with start_emulator(world_dir, faults=Faults(rate_429=1.0, retry_after_seconds=3)) as server:
        reply = requests.get(f"{server.base_url}/delighted/v1/survey_responses.json", auth=("demo-token", ""), timeout=5)

    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "3"


def test_demo_sources_are_valid_config_pointing_at_the_emulator(emulator, monkeypatch):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    config = parse_config({"sources": demo_sources(emulator.base_url)}, home=Path("."))

    assert sorted(source.type for source in config.sources) == ["delighted", "hubspot", "qualtrics", "surveymonkey", "typeform"]
    assert all(source.base_url.startswith(emulator.base_url) for source in config.sources)
    hubspot = next(source for source in config.sources if source.type == "hubspot")
    assert hubspot.access_token.get_secret_value() == "demo-token"
