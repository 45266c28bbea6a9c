"""Delighted API v1: `GET /v1/survey_responses.json`.

HTTP Basic auth with the API key as user name. `per_page` (default 20, at most 100), `page`
(from 1), `since`/`until` (created_at) and `updated_since`/`updated_until` (Unix seconds,
inclusive), `order` = asc | desc (created_at) | asc:updated_at | desc:updated_at, `expand[]=person`.
The body is a JSON array; an empty page ends the listing. Times are Unix seconds. 429 replies carry
Retry-After; errors are {"status", "message"}.
"""
from __future__ import annotations

import base64
from itertools import islice
from typing import Any

from ingestion.emulators.common import SortedRows, deep_update, score_value
from ingestion.emulators.rows import Row
from ingestion.emulators.server import Request, Response, Vendor

PROPERTIES = ("customer_id", "product", "process", "employee_id", "channel", "language", "survey_type")


def error(status: int, message: str) -> Response:
    return Response(status, {"status": status, "message": message})


class Delighted(Vendor):
    name = "delighted"
    prefix = "/delighted"

    def authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        try:
            user = base64.b64decode(header[6:]).decode().split(":", 1)[0]
        except ValueError:
            return False
        return user in self.server.tokens

    def unauthorized(self) -> Response:
        return error(401, "Invalid API key")

    def rate_limited(self, retry_after: float | None) -> Response:
        response = error(429, "Too Many Requests")
        response.headers["Retry-After"] = f"{retry_after if retry_after is not None else 1:g}"
        return response

    def server_error(self, status: int) -> Response:
        return error(status, "Internal Server Error")

    def handle(self, request: Request) -> Response:
        if request.method != "GET" or request.path != "/v1/survey_responses.json":
            return error(404, f"Not Found: {request.path}")
        try:
            per_page = int(request.arg("per_page", "20"))
            page = int(request.arg("page", "1"))
            bounds = {name: _unix(request.arg(name)) for name in ("since", "until", "updated_since", "updated_until")}
        except ValueError as problem:
            return error(422, f"Invalid parameter: {problem}")
        if not 1 <= per_page <= 100 or page < 1:
            return error(422, "per_page must be between 1 and 100, page at least 1")
        order = request.arg("order", "asc")
        if order not in ("asc", "desc", "asc:updated_at", "desc:updated_at"):
            return error(422, f"Invalid order {order!r}")
        # Pages come from the index in the requested order; the other pair of bounds filters it.
        by_updated = order.endswith(":updated_at")
        index = self.index(by_updated)
        ordering, other = ("updated_since", "updated_until"), ("since", "until")
        if not by_updated:
            ordering, other = other, ordering
        positions = index.span(bounds[ordering[0]], bounds[ordering[1]])
        if order.startswith("desc"):
            positions = positions[::-1]
        wanted = slice((page - 1) * per_page, page * per_page)
        if bounds[other[0]] is None and bounds[other[1]] is None:
            rows = [index.rows[i] for i in positions[wanted]]
        else:
            value = _created if by_updated else _updated
            matching = (index.rows[i] for i in positions if _between(value(index.rows[i]), bounds[other[0]], bounds[other[1]]))
            rows = list(islice(matching, wanted.start, wanted.stop))
        expand = "person" in request.query.get("expand[]", [])
        return Response(200, [response(r, expand) for r in rows])

    def warm(self) -> None:
        self.index(by_updated=True)

    def index(self, by_updated: bool) -> SortedRows:
        def build() -> SortedRows:
            return SortedRows.of(self.world.select("responses", survey_tool="delighted"), _updated if by_updated else _created)

        return self.world.cached("responses", ("delighted", by_updated), build)


def _unix(text: str | None) -> int | None:
    return None if text in (None, "") else int(text)


def _between(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _created(row: Row) -> int:
    created = row.moment("responded_at")
    return int(created.timestamp()) if created else 0


def _updated(row: Row) -> int:
    return int(row["_modified_at"].timestamp())


def response(row: Row, expand_person: bool) -> dict[str, Any]:
    person_id = str(row.get("contact_id") or row.get("customer_id") or row["_number"]).lstrip("PC0") or "0"
    person: Any = person_id
    if expand_person:
        person = {
            "id": person_id,
            "email": row.get("customer_email") or None,
            "name": None,
            "phone_number": None,
            "created_at": _created(row) - 86_400,
            "last_sent_at": _created(row) - 3_600,
        }
    record = {
        "id": str(row["_number"]),
        "person": person,
        "survey_type": "nps",
        "score": score_value(row),
        "comment": row.get("comment") or None,
        "permalink": f"https://delighted.com/r/{row['_number']}",
        "created_at": _created(row),
        "updated_at": _updated(row),
        "person_properties": {k: row.get(k) for k in PROPERTIES if row.get(k)},
        "notes": [],
        "tags": [],
        "additional_answers": [],
    }
    return deep_update(record, row.get("vendor_overrides"))
