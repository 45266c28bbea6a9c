"""HubSpot CRM API: companies, contacts, deals and the engagements tasks and notes from the world's CRM.

- `GET /crm/v3/objects/{type}`: `limit` (default 10, at most 100), `after` (opaque), `properties`,
  `associations`; ordered by id; `paging.next.after` while more remain.
- `POST /crm/v3/objects/{type}/search`: filterGroups (EQ, NEQ, GT, GTE, LT, LTE on any property;
  dates as epoch milliseconds), sorts, `limit` (at most 200), `after`; no associations; paging past
  10,000 results is a 400. At most 5 search requests per second.
- `POST /crm/v4/associations/{from}/{to}/batch/read`: {"inputs": [{"id"}]} -> `results[].to[]`.
- `POST /crm/v3/objects/{companies|contacts}/batch/update`: {"inputs": [{"id", "properties"}]}, at
  most 100 inputs; sets the properties (any name: custom properties are assumed to exist), marks the
  objects modified, and answers the updated objects. An unknown id fails the whole batch (400).
Tasks and notes are the world's synthesised follow-up activities (see world.follow_up_activities),
associated with the customer's company.
Customers are companies (consumers as one-person companies) with our customer number in the custom
property `customer_id`. Errors: {"status": "error", "message", "correlationId", "category"}.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from ingestion.emulators.common import SortedRows, bearer, decode_token, encode_token, iso_z
from ingestion.emulators.rows import Row, RowList
from ingestion.emulators.server import Request, Response, Vendor
from ingestion.emulators.world import KEYS

OBJECTS = {"companies": "customers", "contacts": "contacts", "deals": "deals", "tasks": "activities", "notes": "activities"}
KIND_FILTER = {"tasks": {"activity_type": "task"}, "notes": {"activity_type": "note"}}
ID_BASE = {"companies": 5_000_000_000, "contacts": 100, "deals": 9_000_000_000, "tasks": 70_000_000_000, "notes": 70_000_000_000}
MODIFIED = {
    "companies": "hs_lastmodifieddate", "contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate",
    "tasks": "hs_lastmodifieddate", "notes": "hs_lastmodifieddate",
}  # fmt: skip
SEARCH_CAP = 10_000
_RANGE_OPERATORS = ("EQ", "GT", "GTE", "LT", "LTE")
BATCH_UPDATE_LIMIT = 100
_LIST = re.compile(r"^/crm/v3/objects/(companies|contacts|deals|tasks|notes)$")
_SEARCH = re.compile(r"^/crm/v3/objects/(companies|contacts|deals|tasks|notes)/search$")
_ASSOCIATIONS = re.compile(r"^/crm/v4/associations/(contacts|deals|tasks|notes)/companies/batch/read$")
_BATCH_UPDATE = re.compile(r"^/crm/v3/objects/(companies|contacts)/batch/update$")


def error(status: int, message: str, category: str, **extra: str) -> Response:
    return Response(status, {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category, **extra})  # fmt: skip


class HubSpot(Vendor):
    name = "hubspot"
    prefix = "/hubspot"

    def authorized(self, request: Request) -> bool:
        return bearer(request) in self.server.tokens

    def unauthorized(self) -> Response:
        return error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION")

    def rate_limited(self, retry_after: float | None) -> Response:
        response = error(429, "You have reached your ten_secondly_rolling limit.", "RATE_LIMITS", errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")  # fmt: skip
        response.headers.update(self.limit_headers(remaining=0))
        if retry_after is not None:
            response.headers["Retry-After"] = f"{retry_after:g}"
        return response

    def server_error(self, status: int) -> Response:
        return error(status, "internal error", "INTERNAL_ERROR")

    def limit(self, request: Request) -> tuple[str, int, float] | None:
        if request.path.endswith("/search"):
            return ("hubspot:search", 5, 1.0)
        return ("hubspot", 100, 10.0)

    def limit_headers(self, remaining: int) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": str(max(remaining, 0)),
            "X-HubSpot-RateLimit-Daily": "250000",
            "X-HubSpot-RateLimit-Daily-Remaining": str(250_000 - self.server.request_count(self.name)),
        }

    def handle(self, request: Request) -> Response:
        if request.method == "GET" and (match := _LIST.match(request.path)):
            response = self.list(match.group(1), request)
            response.headers.update(self.limit_headers(100 - self.server.window_count("hubspot", 10.0)))
            return response
        if request.method == "POST" and (match := _SEARCH.match(request.path)):
            return self.search(match.group(1), request)
        if request.method == "POST" and (match := _ASSOCIATIONS.match(request.path)):
            return self.associations(match.group(1), request)
        if request.method == "POST" and (match := _BATCH_UPDATE.match(request.path)):
            return self.batch_update(match.group(1), request)
        return error(404, f"Unable to infer object type from: {request.path}", "OBJECT_NOT_FOUND")

    def list(self, object_type: str, request: Request) -> Response:
        limit = int(request.arg("limit", "10"))
        if not 1 <= limit <= 100:
            return error(400, f"limit must be between 1 and 100, got {limit}", "VALIDATION_ERROR")
        state = decode_token(request.arg("after") or "") or {"offset": 0}
        rows = self.rows(object_type)
        offset = int(state["offset"])
        page = rows[offset : offset + limit]
        wanted = _names(request.arg("properties"))
        with_companies = "companies" in _names(request.arg("associations"))
        results = [self.object(object_type, r, wanted, with_companies) for r in page]
        body: dict[str, Any] = {"results": results}
        if offset + limit < len(rows):
            replay = not state.get("replayed") and self.server.duplicate_page()
            following = {"offset": offset, "replayed": True} if replay else {"offset": offset + limit}
            after = encode_token(following)
            body["paging"] = {"next": {"after": after, "link": f"{request.base_url}{request.path}?after={after}"}}
        return Response(200, body)

    def search(self, object_type: str, request: Request) -> Response:
        query = request.json() or {}
        limit = int(query.get("limit", 10))
        after = int(query.get("after") or 0)
        if not 1 <= limit <= 200:
            return error(400, f"limit must be between 1 and 200, got {limit}", "VALIDATION_ERROR")
        if after >= SEARCH_CAP:
            return error(400, f"paging past {SEARCH_CAP} results is not supported; narrow the search", "VALIDATION_ERROR")
        rows, order = self.matching(object_type, query.get("filterGroups"))
        sorts = query.get("sorts") or []
        if order is None or [(s["propertyName"], s.get("direction") == "DESCENDING") for s in sorts] != [(order, False)]:
            rows.sort(key=lambda r: r["_number"])  # by id, then stably by each sort
            for sort in reversed(sorts):
                name = sort["propertyName"]
                rows.sort(key=lambda r: _comparable(self.properties(object_type, r).get(name)), reverse=sort.get("direction") == "DESCENDING")
        wanted = set(query.get("properties") or [])
        results = [self.object(object_type, r, wanted, False) for r in rows[after : after + limit]]
        body: dict[str, Any] = {"total": len(rows), "results": results}
        if after + limit < len(rows):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return Response(200, body)

    def matching(self, object_type: str, groups: list[dict[str, Any]] | None) -> tuple[list[dict[str, Any]], str | None]:
        """The objects the filter groups match. One group with a range filter is answered from an
        index on that filter's property, in the order of that property (returned with its name);
        anything else by testing every object, in id order."""
        filters = groups[0]["filters"] if groups and len(groups) == 1 else []
        narrowing = next((f for f in filters if f["operator"] in _RANGE_OPERATORS), None)
        if narrowing is None:
            return [r for r in self.rows(object_type) if _matches(self.properties(object_type, r), groups)], None
        name, operator, bound = narrowing["propertyName"], narrowing["operator"], _comparable(narrowing.get("value"))
        index = self.search_index(object_type, name)
        positions = index.span(
            low=bound if operator in ("EQ", "GT", "GTE") else None,
            high=bound if operator in ("EQ", "LT", "LTE") else None,
            low_open=operator == "GT",
            high_open=operator == "LT",
        )
        rows = [index.rows[i] for i in positions]
        others = [f for f in filters if f is not narrowing]
        if others:
            rows = [r for r in rows if _matches(self.properties(object_type, r), [{"filters": others}])]
        return rows, name

    def warm(self) -> None:
        for object_type, name in MODIFIED.items():
            self.search_index(object_type, name)

    def search_index(self, object_type: str, name: str) -> SortedRows:
        def value(row: Row) -> tuple:
            if name == MODIFIED[object_type] and name not in (row.get("vendor_overrides") or {}):
                # What _comparable makes of the property (whole seconds as ISO text), without
                # building every property of every object: this index serves every increment.
                return (1, row["_modified_at"].timestamp() * 1000)
            return _comparable(self.properties(object_type, row).get(name))

        def build() -> SortedRows:
            return SortedRows.of(self.rows(object_type), value)

        return self.world.cached(OBJECTS[object_type], ("hubspot-search", object_type, name), build)

    def associations(self, from_type: str, request: Request) -> Response:
        inputs = (request.json() or {}).get("inputs") or []
        kind = OBJECTS[from_type]
        results = []
        for item in inputs:
            number = int(item["id"]) - ID_BASE[from_type]
            row = self.world.by_number(kind, number)
            if row is None or any(row.get(k) != v for k, v in KIND_FILTER.get(from_type, {}).items()):
                continue
            company = self.company_number(row)
            to = [] if company is None else [{
                "toObjectId": ID_BASE["companies"] + company,
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 1 if from_type == "contacts" else 5, "label": "Primary"},
                    {"category": "HUBSPOT_DEFINED", "typeId": 279 if from_type == "contacts" else 341, "label": None},
                ],
            }]  # fmt: skip
            results.append({"from": {"id": str(item["id"])}, "to": to})
        return Response(200, {"status": "COMPLETE", "results": results, "startedAt": iso_z(self.world.clock, True), "completedAt": iso_z(self.world.clock, True)})  # fmt: skip

    def rows(self, object_type: str) -> RowList:
        return self.world.select(OBJECTS[object_type], **KIND_FILTER.get(object_type, {}))

    def batch_update(self, object_type: str, request: Request) -> Response:
        inputs = (request.json() or {}).get("inputs") or []
        if not 1 <= len(inputs) <= BATCH_UPDATE_LIMIT:
            return error(400, f"inputs must hold 1 to {BATCH_UPDATE_LIMIT} objects, got {len(inputs)}", "VALIDATION_ERROR")
        kind, found = OBJECTS[object_type], []
        for item in inputs:
            row = self.world.by_number(kind, int(item.get("id") or 0) - ID_BASE[object_type])
            if row is None:
                return error(400, f"Object not found. objectId are usually numeric: {item.get('id')}", "OBJECT_NOT_FOUND")
            found.append((row, {str(k): None if v is None else str(v) for k, v in (item.get("properties") or {}).items()}))
        updated = []
        for row, properties in found:
            overrides = {**(row.get("vendor_overrides") or {}), **properties}
            stored = self.world.upsert(kind, {KEYS[kind]: row[KEYS[kind]], "vendor_overrides": overrides})
            updated.append(self.object(object_type, stored, set(properties), False))
        now = iso_z(self.world.clock, True)
        return Response(200, {"status": "COMPLETE", "results": updated, "startedAt": now, "completedAt": now})

    def company_number(self, row: Row) -> int | None:
        customer = row.get("customer_id")
        return self.world.number("customers", customer) if customer else None

    def object(self, object_type: str, row: Row, wanted: set[str], with_companies: bool) -> dict[str, Any]:
        everything = self.properties(object_type, row)
        always = {"hs_object_id", "createdate", MODIFIED[object_type]}
        shown = {k: everything.get(k) for k in (wanted | always)}
        item: dict[str, Any] = {
            "id": everything["hs_object_id"],
            "properties": shown,
            "createdAt": everything["createdate"],
            "updatedAt": everything[MODIFIED[object_type]],
            "archived": False,
        }
        if with_companies and object_type != "companies":
            company = self.company_number(row)
            links = [] if company is None else [
                {"id": str(ID_BASE["companies"] + company), "type": f"{object_type[:-1]}_to_company"},
                {"id": str(ID_BASE["companies"] + company), "type": f"{object_type[:-1]}_to_company_unlabeled"},
            ]  # fmt: skip
            item["associations"] = {"companies": {"results": links}}
        overrides = row.get("vendor_overrides") or {}
        item["properties"].update({k: v for k, v in overrides.items() if k in shown or k in wanted})
        return item

    def properties(self, object_type: str, row: Row) -> dict[str, Any]:
        """Every property of the object, as HubSpot returns them: strings, dates ISO with millis."""
        modified = iso_z(row["_modified_at"], millis=True)
        common = {"hs_object_id": str(ID_BASE[object_type] + row["_number"]), MODIFIED[object_type]: modified}
        if object_type == "companies":
            props = {
                "name": row.get("name"), "domain": (row.get("email") or "").partition("@")[2] or None,
                "phone": row.get("phone"), "numberofemployees": row.get("size_employees") or None,
                "createdate": iso_z(row.moment("created_at"), millis=True), "customer_id": row.get("customer_id"),
                "customer_type": row.get("customer_type"), "product": row.get("product"), "region": row.get("region"),
                "churned_at": iso_z(row.moment("churned_at"), millis=True),
            }  # fmt: skip
        elif object_type == "tasks":
            props = {
                "hs_task_subject": row.get("subject"), "hs_task_status": row.get("status"),
                "hs_task_priority": "HIGH", "hs_task_type": "CALL", "hs_timestamp": iso_z(row.moment("due_at"), millis=True),
                "hs_task_completion_date": iso_z(row.moment("completed_at"), millis=True),
                "createdate": iso_z(row.moment("created_at"), millis=True),
            }  # fmt: skip
        elif object_type == "notes":
            props = {
                "hs_note_body": row.get("subject"), "hs_timestamp": iso_z(row.moment("created_at"), millis=True),
                "createdate": iso_z(row.moment("created_at"), millis=True),
            }  # fmt: skip
        elif object_type == "contacts":
            props = {
                "email": row.get("email"), "firstname": row.get("first_name"), "lastname": row.get("last_name"),
                "phone": row.get("phone"), "createdate": iso_z(row.moment("created_at"), millis=True),
            }  # fmt: skip
        else:
            stage = row.get("stage") or ""
            props = {
                "dealname": f"{row.get('product')} {row.get('deal_id')}", "amount": row.get("amount"),
                "dealstage": stage, "pipeline": "default", "hs_is_closed_won": str(stage == "closedwon").lower(),
                "closedate": iso_z(row.moment("closed_at"), millis=True),
                "createdate": iso_z(row.moment("created_at"), millis=True), "product": row.get("product"),
            }  # fmt: skip
        overrides = row.get("vendor_overrides") or {}
        return {**props, **common, **overrides}


def _names(text: str | None) -> set[str]:
    return {name.strip() for name in (text or "").split(",") if name.strip()}


def _comparable(value: Any) -> tuple:
    """Dates compare as epoch ms, numbers as numbers, the rest as text; empty values first."""
    if value in (None, ""):
        return (0, 0)
    text = str(value)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return (1, float(text))
    try:
        return (1, datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return (2, text)


def _matches(props: dict[str, Any], groups: list[dict[str, Any]] | None) -> bool:
    if not groups:
        return True
    compare = {
        "EQ": lambda a, b: a == b, "NEQ": lambda a, b: a != b, "GT": lambda a, b: a > b,
        "GTE": lambda a, b: a >= b, "LT": lambda a, b: a < b, "LTE": lambda a, b: a <= b,
    }  # fmt: skip
    return any(
        all(compare[f["operator"]](_comparable(props.get(f["propertyName"])), _comparable(f.get("value"))) for f in group["filters"])
        for group in groups
    )
