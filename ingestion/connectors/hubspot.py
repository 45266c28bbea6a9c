"""HubSpot CRM (API v3): companies, contacts, deals, and the engagements tasks and notes.

Full load: `GET /crm/v3/objects/{object}` (limit 100, `paging.next.after`), with the contact->company
and deal->company associations; the cursor keeps the `after` token so a failed load resumes there.
Incremental: `POST /crm/v3/objects/{object}/search` on the last-modified property (contacts
`lastmodifieddate`, others `hs_lastmodifieddate`), ascending, GTE the cursor. Search stops at 10,000
results per query, so a query that reaches that starts a new one from the last timestamp seen. A
backfill searches the same way within its window (GTE its start, LT its end).
Search results carry no associations; they come from `POST /crm/v4/associations/.../batch/read`.
Tasks and notes are read like the other objects, with their company association; they tell whether
and when a detractor was followed up.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, SecretStr

from ingestion.connectors import fields
from ingestion.connectors.base import Connector, SourceConfig, StrictModel
from ingestion.connectors.crm_tables import HUBSPOT_TABLES
from ingestion.connectors.writeback import WritebackSettings
from ingestion.http import ApiError, HttpClient, HttpSettings, RateLimitHeaders
from ingestion.landing import Batch
from ingestion.prefetch import prefetched
from ingestion.window import Window

LIST_LIMIT = 100
SEARCH_LIMIT = 200
SEARCH_MAX_RESULTS = 10_000
MODIFIED_PROPERTY = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
    "tasks": "hs_lastmodifieddate",
    "notes": "hs_lastmodifieddate",
}


class HubSpotProperties(StrictModel):
    """Names of the custom properties that hold our customer data."""

    customer_id: str = "customer_id"  # company: our customer number
    customer_type: str = "customer_type"  # company: consumer | business
    product: str = "product"  # company and deal: product code
    region: str = "region"  # company
    churned_at: str = "churned_at"  # company: when the customer left (empty while active)


class HubSpotSourceConfig(SourceConfig):
    type: Literal["hubspot"] = "hubspot"
    base_url: str = "https://api.hubapi.com"
    access_token: SecretStr = Field(description="private app access token, e.g. ${HUBSPOT_ACCESS_TOKEN}")
    properties: HubSpotProperties = Field(default_factory=HubSpotProperties)
    http: HttpSettings = Field(default_factory=HttpSettings)
    writeback: WritebackSettings = Field(default_factory=WritebackSettings)  # latest rating -> CRM


def _read_error(body: Any) -> tuple[str | None, str] | None:
    if isinstance(body, dict) and "message" in body:
        return body.get("category") or body.get("errorType"), str(body["message"])
    return None


def client(config: HubSpotSourceConfig) -> HttpClient:
    token = config.access_token.get_secret_value()
    return HttpClient(
        config.name,
        config.base_url,
        config.http,
        default_requests_per_second=4.0,  # search allows 5 per second per account
        headers={"Authorization": f"Bearer {token}"},
        secrets=(token,),
        rate_limit_headers=(
            RateLimitHeaders(
                "X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Interval-Milliseconds", 0.001
            ),
        ),
        read_error=_read_error,
    )


def requested_properties(object_name: str, config: HubSpotSourceConfig) -> list[str]:
    custom = config.properties
    return {
        "companies": [
            "name", "numberofemployees", "createdate", "hs_lastmodifieddate", custom.customer_id,
            custom.customer_type, custom.product, custom.region, custom.churned_at,
        ],
        "contacts": ["email", "firstname", "lastname", "phone", "createdate", "lastmodifieddate"],
        "deals": [
            "dealname", "amount", "dealstage", "hs_is_closed_won", "closedate", "createdate",
            "hs_lastmodifieddate", custom.product,
        ],
        "tasks": [
            "hs_task_subject", "hs_task_status", "hs_timestamp", "hs_task_completion_date", "createdate",
            "hs_lastmodifieddate",
        ],
        "notes": ["hs_timestamp", "createdate", "hs_lastmodifieddate"],
    }[object_name]  # fmt: skip


def parse_object(object_name: str, item: dict[str, Any], company_id: str | None, config: HubSpotSourceConfig) -> dict:
    """One HubSpot object (with its associated company id) -> a raw record."""
    props = item.get("properties") or {}
    custom = config.properties
    record_id = fields.required_text(item.get("id"), "id")
    modified = fields.timestamp(props.get(MODIFIED_PROPERTY[object_name]), MODIFIED_PROPERTY[object_name], required=True)
    created = fields.timestamp(props.get("createdate"), "createdate", required=True)
    if object_name == "companies":
        record = {
            "id": record_id,
            "customer_id": fields.required_text(props.get(custom.customer_id), f"company property {custom.customer_id}"),
            "name": fields.text(props.get("name")),
            "customer_type": fields.text(props.get(custom.customer_type)),
            "numberofemployees": fields.integer(props.get("numberofemployees"), "numberofemployees"),
            "product": fields.text(props.get(custom.product)),
            "region": fields.text(props.get(custom.region)),
            "createdate": created,
            "churned_at": fields.timestamp(props.get(custom.churned_at), custom.churned_at),
            "hs_lastmodifieddate": modified,
        }
    elif object_name == "contacts":
        record = {
            "id": record_id,
            "company_id": company_id,
            "email": fields.text(props.get("email")),
            "firstname": fields.text(props.get("firstname")),
            "lastname": fields.text(props.get("lastname")),
            "phone": fields.text(props.get("phone")),
            "createdate": created,
            "lastmodifieddate": modified,
        }
    elif object_name == "tasks":
        record = {
            "id": record_id,
            "company_id": company_id,
            "hs_task_subject": fields.text(props.get("hs_task_subject")),
            "hs_task_status": fields.text(props.get("hs_task_status")),
            "hs_timestamp": fields.timestamp(props.get("hs_timestamp"), "hs_timestamp"),
            "hs_task_completion_date": fields.timestamp(props.get("hs_task_completion_date"), "hs_task_completion_date"),
            "createdate": created,
            "hs_lastmodifieddate": modified,
        }
    elif object_name == "notes":
        record = {
            "id": record_id,
            "company_id": company_id,
            "hs_timestamp": fields.timestamp(props.get("hs_timestamp"), "hs_timestamp"),
            "createdate": created,
            "hs_lastmodifieddate": modified,
        }
    else:
        record = {
            "id": record_id,
            "company_id": company_id,
            "dealname": fields.text(props.get("dealname")),
            "product": fields.text(props.get(custom.product)),
            "amount": fields.decimal(props.get("amount"), "amount"),
            "dealstage": fields.text(props.get("dealstage")),
            "hs_is_closed_won": bool(fields.boolean(props.get("hs_is_closed_won"), "hs_is_closed_won")),
            "closedate": fields.timestamp(props.get("closedate"), "closedate"),
            "createdate": created,
            "hs_lastmodifieddate": modified,
        }
    # The list and search endpoints differ in whether associations are included; the payload keeps
    # the resolved company instead, so one unchanged object reads the same either way.
    payload = {k: v for k, v in item.items() if k != "associations"}
    if object_name != "companies":
        payload["primary_company_id"] = company_id
    return {**record, "payload": payload, "_modified_at": modified}


def _primary_company(links: list[dict[str, Any]]) -> str | None:
    """The primary company of a v3 association list (type `*_to_company`), else the first."""
    primary = [link for link in links if not str(link.get("type", "")).endswith("_unlabeled")]
    chosen = (primary or links)[:1]
    return str(chosen[0]["id"]) if chosen else None


def _to_batch(object_name: str, items: list[dict], companies: dict[str, str | None], config: HubSpotSourceConfig) -> Batch:
    batch = Batch()
    for item in items:
        try:
            batch.records.append(parse_object(object_name, item, companies.get(str(item.get("id"))), config))
        except fields.RecordError as error:
            batch.quarantined.append(fields.quarantine(f"{object_name}/{item.get('id')}", error, item))
    return batch


def _latest(batch: Batch, previous: int | None) -> int | None:
    stamps = [int(r["_modified_at"].timestamp() * 1000) for r in batch.records]
    return max([*stamps, *([previous] if previous is not None else [])], default=None)


def full_load(http: HttpClient, config: HubSpotSourceConfig, object_name: str, state: dict) -> Iterator[Batch]:
    params: dict[str, Any] = {
        "limit": LIST_LIMIT,
        "properties": ",".join(requested_properties(object_name, config)),
        "archived": "false",
    }
    if object_name != "companies":
        params["associations"] = "companies"
    latest = state.get("latest_modified_ms")
    pages = _list_pages(http, f"crm/v3/objects/{object_name}", params, state.get("after"))
    for items, after in prefetched(pages, LIST_LIMIT):
        companies = {
            str(item.get("id")): _primary_company(((item.get("associations") or {}).get("companies") or {}).get("results") or [])
            for item in items
        }
        batch = _to_batch(object_name, items, companies, config)
        latest = _latest(batch, latest)
        if after:
            batch.cursor = json.dumps({"after": after, "latest_modified_ms": latest})
        else:  # done: from now on, search for what changed since the latest modification seen
            batch.cursor = json.dumps({"modified_since_ms": latest if latest is not None else 0})
        yield batch


def _list_pages(http: HttpClient, path: str, params: dict[str, Any], after: str | None) -> Iterator[tuple[list, str | None]]:
    """(page, the `after` token of the next page, None on the last) of a list endpoint."""
    while True:
        page = http.get_json(path, {**params, **({"after": after} if after else {})})
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        yield page.get("results") or [], after
        if not after:
            return


def changed_since(
    http: HttpClient, config: HubSpotSourceConfig, object_name: str, since_ms: int, until_ms: int | None = None
) -> Iterator[Batch]:
    """Objects modified at or after `since_ms`; before `until_ms` too for a backfill's window, which
    leaves the cursor alone."""
    prop = MODIFIED_PROPERTY[object_name]
    query_start, after, seen = since_ms, 0, 0
    upper = [] if until_ms is None else [{"propertyName": prop, "operator": "LT", "value": str(until_ms)}]
    while True:
        body = {
            "filterGroups": [{"filters": [{"propertyName": prop, "operator": "GTE", "value": str(query_start)}, *upper]}],
            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
            "properties": requested_properties(object_name, config),
            "limit": SEARCH_LIMIT,
            "after": after,
        }
        page = http.post_json(f"crm/v3/objects/{object_name}/search", body)
        items = page.get("results") or []
        seen += len(items)
        companies = associated_companies(http, object_name, [str(i.get("id")) for i in items])
        batch = _to_batch(object_name, items, companies, config)
        last_ms = _page_last_modified(items, prop)
        next_after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if last_ms is not None and until_ms is None:
            batch.cursor = json.dumps({"modified_since_ms": last_ms})
        yield batch
        if not next_after:
            return
        if seen + SEARCH_LIMIT > SEARCH_MAX_RESULTS:
            # The next page would pass the search's 10,000 result cap: slice the window.
            if last_ms is None or last_ms <= query_start:
                raise ApiError(
                    f"{config.name}: more than {SEARCH_MAX_RESULTS} {object_name} share {prop} = "
                    f"{query_start} ms; cannot slice the search window further"
                )
            query_start, after, seen = last_ms, 0, 0
        else:
            after = next_after


def _page_last_modified(items: list[dict], prop: str) -> int | None:
    """The last item's modification (results are sorted ascending), read leniently: a malformed
    value is quarantined by the parser, and must not stop the cursor from advancing past it."""
    for item in reversed(items):
        try:
            moment = fields.timestamp((item.get("properties") or {}).get(prop), prop)
        except fields.RecordError:
            continue
        if moment is not None:
            return int(moment.timestamp() * 1000)
    return None


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def associated_companies(http: HttpClient, object_name: str, ids: list[str]) -> dict[str, str | None]:
    """Object id -> primary company id (v4 batch read, labelled Primary first)."""
    if object_name == "companies" or not ids:
        return {}
    reply = http.post_json(
        f"crm/v4/associations/{object_name}/companies/batch/read", {"inputs": [{"id": i} for i in ids]}, page=False
    )
    found: dict[str, str | None] = {}
    for result in reply.get("results") or []:
        targets = result.get("to") or []
        primary = [t for t in targets if any(a.get("label") == "Primary" for a in t.get("associationTypes") or [])]
        chosen = (primary or targets)[:1]
        found[str(result["from"]["id"])] = str(chosen[0]["toObjectId"]) if chosen else None
    return found


def extract(config: HubSpotSourceConfig, object_name: str, cursor: str | None, window: Window | None = None) -> Iterator[Batch]:
    state = json.loads(cursor) if cursor else {}
    with client(config) as http:
        if window is not None:
            yield from changed_since(http, config, object_name, _epoch_ms(window.start), _epoch_ms(window.end))
        elif "modified_since_ms" in state:
            yield from changed_since(http, config, object_name, int(state["modified_since_ms"]))
        else:
            yield from full_load(http, config, object_name, state)


CONNECTOR = Connector(
    source_type="hubspot",
    config_model=HubSpotSourceConfig,
    tables=HUBSPOT_TABLES,
    extract=extract,
)
