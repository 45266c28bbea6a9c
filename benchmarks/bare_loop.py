"""The ingestion baseline: fetch the pages a connector fetches with plain `requests`, parse the JSON
and bulk-insert (id, modified, payload) into DuckDB in batches of the size landing uses. No
validation, no upsert, no quarantine: what any loader must at least spend."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import requests

from ingestion.connectors.hubspot import LIST_LIMIT, requested_properties
from ingestion.emulators.common import SURVEY_IDS
from ingestion.emulators.server import DEMO_TOKEN
from ingestion.ingest import LANDING_BATCH_RECORDS
from orchestration.config import load_config

HEADERS = {"Authorization": f"Bearer {DEMO_TOKEN}"}


def _get(session: requests.Session, url: str, params: dict[str, Any]) -> dict[str, Any]:
    """A page, waiting out a 429 as the vendor asks (the emulator may enforce vendor rate limits)."""
    while True:
        reply = session.get(url, params=params, headers=HEADERS, timeout=60)
        if reply.status_code == 429:
            time.sleep(float(reply.headers.get("Retry-After", "1")))
            continue
        reply.raise_for_status()
        return reply.json()


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


LOOPS = {"hubspot/deals": hubspot_deals, "typeform/responses": typeform_responses}


def bare_loop(name: str, base_url: str, config_path: Path, database: Path) -> dict[str, Any]:
    started = time.perf_counter()
    records = 0
    with duckdb.connect(str(database)) as connection, requests.Session() as session:
        connection.execute("create or replace table landed (id varchar, modified_at varchar, payload json)")
        pending: list[tuple[str, str, str]] = []
        for row in LOOPS[name](session, base_url, config_path):
            pending.append(row)
            if len(pending) >= LANDING_BATCH_RECORDS:
                records += _insert(connection, pending)
        records += _insert(connection, pending)
    return {"seconds": time.perf_counter() - started, "records": records}


def _insert(connection: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str]]) -> int:
    if rows:
        frame = pd.DataFrame(rows, columns=["id", "modified_at", "payload"])
        connection.execute("insert into landed select * from frame")
    count = len(rows)
    rows.clear()
    return count
