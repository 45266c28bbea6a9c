"""Delighted API v1: `survey_responses.json` of one project (one API key).

Responses are read in order of last change (`order=asc:updated_at`), up to 100 per page, with the
person expanded for the email. Rather than counting pages (which shift when a response changes
mid-run), each request starts at the last `updated_at` seen (`updated_since`, inclusive) and only
turns to the next page when a whole page shares one second. Every page lands with the `updated_at`
it reached as the cursor. A backfill reads the responses created within its window (`since`,
`until`). Person properties carry customer, product, process and employee.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, SecretStr

from ingestion.connectors import fields
from ingestion.connectors.base import Connector, SourceConfig
from ingestion.connectors.survey_mapping import SurveyMapping, canonical_response
from ingestion.http import HttpClient, HttpSettings
from ingestion.landing import Batch
from ingestion.prefetch import prefetched
from ingestion.raw_tables import responses_table
from ingestion.window import Window


class DelightedSourceConfig(SourceConfig, SurveyMapping):
    type: Literal["delighted"] = "delighted"
    base_url: str = "https://api.delighted.com/v1"
    api_key: SecretStr = Field(description="the project's API key, e.g. ${DELIGHTED_API_KEY}")
    per_page: int = Field(default=100, ge=1, le=100)
    http: HttpSettings = Field(default_factory=HttpSettings)


def _read_error(body: Any) -> tuple[str | None, str] | None:
    if isinstance(body, dict) and "message" in body:
        return str(body.get("status")), str(body["message"])
    return None


def client(config: DelightedSourceConfig) -> HttpClient:
    key = config.api_key.get_secret_value()
    return HttpClient(
        config.name,
        config.base_url,
        config.http,
        default_requests_per_second=5.0,
        auth=(key, ""),
        secrets=(key,),
        read_error=_read_error,
    )


def parse_response(item: dict[str, Any], config: DelightedSourceConfig) -> dict[str, Any]:
    if item.get("survey_type") not in (None, "nps"):
        raise fields.RecordError(f"survey_type {item.get('survey_type')!r} is not an NPS survey")
    person = item.get("person") if isinstance(item.get("person"), dict) else {}
    named = {"email": person.get("email"), **fields.mapping(item.get("person_properties"), "person_properties")}
    updated = fields.timestamp(item.get("updated_at"), "updated_at", required=True)
    record = canonical_response(
        response_id=item.get("id"),
        responded_at=fields.timestamp(item.get("created_at"), "created_at", required=True),
        score=fields.score(item.get("score"), "score"),
        comment=item.get("comment"),
        named=named,
        mapping=config,
        attributes={"person_id": person.get("id") or item.get("person"), "tags": item.get("tags") or None},
    )
    record["payload"], record["_modified_at"] = item, updated
    return record


def _to_batch(items: list[dict[str, Any]], config: DelightedSourceConfig) -> Batch:
    batch = Batch()
    for item in items:
        try:
            batch.records.append(parse_response(item, config))
        except fields.RecordError as error:
            batch.quarantined.append(fields.quarantine(f"response/{item.get('id')}", error, item))
    return batch


def extract_window(config: DelightedSourceConfig, window: Window) -> Iterator[Batch]:
    """A backfill: the responses created within the window (`since`/`until`, inclusive Unix seconds),
    oldest first, page by page; a past window gains no responses while it is read."""
    bounds = {"since": int(window.start.timestamp()), "until": int(window.last_second.timestamp())}
    with client(config) as http:
        for page in itertools.count(1):
            params: dict[str, Any] = {"per_page": config.per_page, "page": page, "order": "asc", "expand[]": "person", **bounds}
            items = http.get_json("survey_responses.json", params) or []
            yield _to_batch(items, config)
            if len(items) < config.per_page:
                return


def extract(config: DelightedSourceConfig, object_name: str, cursor: str | None, window: Window | None = None) -> Iterator[Batch]:
    if window is not None:
        yield from extract_window(config, window)
        return
    since = int(json.loads(cursor)["updated_since"]) if cursor else None
    with client(config) as http:
        for items, reached in prefetched(_changed_pages(http, config, since), config.per_page):
            batch = _to_batch(items, config)
            if reached is not None:
                batch.cursor = json.dumps({"updated_since": reached})
            yield batch


def _changed_pages(http: HttpClient, config: DelightedSourceConfig, since: int | None) -> Iterator[tuple[list, int | None]]:
    """(page, the `updated_since` it reached) in order of last change, from `since` on."""
    page = 1
    while True:
        params: dict[str, Any] = {"per_page": config.per_page, "page": page, "order": "asc:updated_at", "expand[]": "person"}
        if since is not None:
            params["updated_since"] = since
        items = http.get_json("survey_responses.json", params) or []
        reached = max(map(_updated, items), default=None)
        if reached is not None and reached != since:
            since, page = reached, 1
        else:
            page += 1  # a whole page within one second: the next page of that second
        yield items, since
        if len(items) < config.per_page:
            return


def _updated(item: dict[str, Any]) -> int:
    try:
        moment = fields.timestamp(item.get("updated_at"), "updated_at")
    except fields.RecordError:
        return 0
    return int(moment.timestamp()) if moment else 0


CONNECTOR = Connector(
    source_type="delighted",
    config_model=DelightedSourceConfig,
    tables={"responses": responses_table("delighted")},
    extract=extract,
)
