"""The ingestion baseline: fetch the pages a connector fetches with plain `requests` (the same
requests, in the same order, so the same pages), parse the JSON and bulk-insert (id, modified,
payload) into DuckDB in batches of the size landing uses. No validation, no upsert, no quarantine:
what any loader must at least spend."""
from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import requests

from ingestion.connectors.hubspot import LIST_LIMIT, requested_properties
from ingestion.emulators.common import SURVEY_IDS
from ingestion.emulators.server import DEMO_TOKEN
from ingestion.ingest import LANDING_BATCH_RECORDS, LOAD_CHECKPOINT_THRESHOLD, ingest
from ingestion.warehouse import open_warehouse
from orchestration.config import load_config

HEADERS = {"Authorization": f"Bearer {DEMO_TOKEN}"}


def _get(session: requests.Session, url: str, params: dict[str, Any], raw: bool = False, **options: Any) -> Any:
    """A page, waiting out a 429 as the vendor asks (the emulator may enforce vendor rate limits)."""
    return _send(session, "GET", url, raw, params=params, **{"headers": HEADERS, **options})


def _post(session: requests.Session, url: str, body: Any, headers: dict[str, str]) -> Any:
    return _send(session, "POST", url, False, json=body, headers=headers)


def _send(session: requests.Session, method: str, url: str, raw: bool, **options: Any) -> Any:
    while True:
        reply = session.request(method, url, timeout=60, **options)
        if reply.status_code == 429:
            time.sleep(float(reply.headers.get("Retry-After", "1")))
            continue
        reply.raise_for_status()
        return reply.content if raw else reply.json()


def hubspot_deals(session: requests.Session, base_url: str, config_path: Path) -> Iterator[tuple[str, str, str]]:
    hubspot = next(s for s in load_config(config_path).sources if s.type == "hubspot")
    params: dict[str, Any] = {
        "limit": LIST_LIMIT,
        "properties": ",".join(requested_properties("deals", hubspot)),
        "archived": "false",
        "associations": "companies",
    }
    url = f"{base_url}/hubspot/crm/v3/objects/deals"
    while True:
        page = _get(session, url, params)
        for item in page.get("results") or []:
            yield item["id"], item["updatedAt"], json.dumps(item)
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return
        params["after"] = after


def typeform_responses(session: requests.Session, base_url: str, config_path: Path) -> Iterator[tuple[str, str, str]]:
    page_size = 1000  # the connector's default
    for form_id in SURVEY_IDS["typeform"].values():
        params: dict[str, Any] = {"page_size": page_size}
        while True:
            page = _get(session, f"{base_url}/typeform/forms/{form_id}/responses", params)
            items = page.get("items") or []
            for item in items:
                yield item["token"], item["submitted_at"], json.dumps(item)
            if len(items) < page_size or int(page.get("page_count") or 0) <= 1:
                break
            params["before"] = items[-1]["token"]


def delighted_responses(session: requests.Session, base_url: str, config_path: Path) -> Iterator[tuple[str, str, str]]:
    """Oldest change first; each request starts at the last updated_at seen, as the connector does."""
    per_page, since, page = 100, None, 1
    while True:
        params: dict[str, Any] = {"per_page": per_page, "page": page, "order": "asc:updated_at", "expand[]": "person"}
        if since is not None:
            params["updated_since"] = since
        items = _get(session, f"{base_url}/delighted/v1/survey_responses.json", params, headers={}, auth=(DEMO_TOKEN, ""))
        for item in items:
            yield str(item["id"]), str(item["updated_at"]), json.dumps(item)
        reached = max((int(item["updated_at"]) for item in items), default=None)
        since, page = (reached, 1) if reached is not None and reached != since else (since, page + 1)
        if len(items) < per_page:
            return


def surveymonkey_responses(session: requests.Session, base_url: str, config_path: Path) -> Iterator[tuple[str, str, str]]:
    for survey_id in SURVEY_IDS["surveymonkey"].values():
        url = f"{base_url}/surveymonkey/v3/surveys/{survey_id}"
        _get(session, f"{url}/details", {})  # the connector reads the choices' scores first
        page = _get(session, f"{url}/responses/bulk", {"per_page": 100, "sort_by": "date_modified", "sort_order": "ASC"})
        while True:
            for item in page.get("data") or []:
                yield item["id"], item["date_modified"], json.dumps(item)
            next_url = (page.get("links") or {}).get("next")
            if not next_url:
                break
            page = _get(session, next_url, {})


def qualtrics_responses(session: requests.Session, base_url: str, config_path: Path) -> Iterator[tuple[str, str, str]]:
    """One export per survey: start, poll at the connector's interval until complete, download."""
    qualtrics = next(s for s in load_config(config_path).sources if s.type == "qualtrics")
    headers = {"X-API-TOKEN": DEMO_TOKEN}
    for survey_id in SURVEY_IDS["qualtrics"].values():
        url = f"{base_url}/qualtrics/API/v3/surveys/{survey_id}/export-responses"
        started = _post(session, url, {"format": "ndjson", "allowContinuation": True}, headers)
        progress_url = f"{url}/{started['result']['progressId']}"
        while (progress := _get(session, progress_url, {}, headers=headers)["result"])["status"] != "complete":
            time.sleep(qualtrics.poll_seconds)
        archive = _get(session, f"{url}/{progress['fileId']}/file", {}, headers=headers, raw=True)
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            lines = opened.read(opened.namelist()[0]).splitlines()
        for item in map(json.loads, lines):
            yield item["responseId"], item["values"]["recordedDate"], json.dumps(item)


LOOPS = {
    "hubspot/deals": hubspot_deals,
    "typeform/responses": typeform_responses,
    "delighted/responses": delighted_responses,
    "surveymonkey/responses": surveymonkey_responses,
    "qualtrics/responses": qualtrics_responses,
}


def bare_loop(name: str, base_url: str, config_path: Path, database: Path) -> dict[str, Any]:
    """The bare loop and the connector, one right after the other against the same emulator, each
    into a new database file: measured side by side, a busy machine slows both alike. The figures
    cover opening the database to closing it (the connector's checkpoint included); `cpu_seconds`
    is the step process's CPU time over the same span (the emulator serves from another process),
    which a busy machine disturbs less than the wall time."""
    connector = _connector_run(name, config_path, database.with_name(f"{database.stem}_connector.duckdb"))
    bare = _bare_run(name, base_url, config_path, database)
    return {
        **bare, "connector_seconds": connector["seconds"], "connector_records": connector["records"],
        "connector_cpu_seconds": connector["cpu_seconds"],
    }  # fmt: skip


def _connector_run(name: str, config_path: Path, database: Path) -> dict[str, Any]:
    source_type, object_name = name.split("/")
    source = next(s for s in load_config(config_path).sources if s.type == source_type)
    database.unlink(missing_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    with open_warehouse(database) as warehouse:
        result = ingest(warehouse, source, object_name, batch_id="benchmark", full_refresh=True)
    return {
        "seconds": time.perf_counter() - started, "records": result.counts.fetched,
        "cpu_seconds": time.process_time() - cpu_started,
    }  # fmt: skip


def _bare_run(name: str, base_url: str, config_path: Path, database: Path) -> dict[str, Any]:
    database.unlink(missing_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    records = 0
    with duckdb.connect(str(database)) as connection, requests.Session() as session:
        # The database settings ingestion loads with, so that only the loaders' code differs.
        connection.execute(f"set checkpoint_threshold = '{LOAD_CHECKPOINT_THRESHOLD}'")
        connection.execute("create table landed (id varchar, modified_at varchar, payload json)")
        pending: list[tuple[str, str, str]] = []
        for row in LOOPS[name](session, base_url, config_path):
            pending.append(row)
            if len(pending) >= LANDING_BATCH_RECORDS:
                records += _insert(connection, pending)
        records += _insert(connection, pending)
        connection.execute("checkpoint")
    return {"seconds": time.perf_counter() - started, "records": records, "cpu_seconds": time.process_time() - cpu_started}


def _insert(connection: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str]]) -> int:
    if rows:
        frame = pd.DataFrame(rows, columns=["id", "modified_at", "payload"])
        connection.execute("insert into landed select * from frame")
    count = len(rows)
    rows.clear()
    return count
