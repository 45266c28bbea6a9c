"""Typeform Responses API: `GET /forms/{form_id}/responses`.

`page_size` (default 25, at most 1000), `since` / `until` (submitted_at, ISO 8601 or Unix seconds,
inclusive), `before` / `after` (a response token: only responses submitted before / after it),
newest first. `total_items` and `page_count` count what the filters (including `before`) leave.
Answers of the NPS field (`type: nps`, answer `type: number`), the comment (`long_text`, answer
`type: text`); hidden fields in `hidden`. At most 2 requests per second per account; errors are
{"code", "description"}.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from datetime import timedelta
from typing import Any

from ingestion.connectors.fields import RecordError, timestamp
from ingestion.emulators.common import SURVEY_IDS, SortedRows, bearer, deep_update, iso_z, score_value
from ingestion.emulators.rows import Row
from ingestion.emulators.server import Request, Response, Vendor

NPS_FIELD = {"id": "Xk2pNpsScore", "ref": "nps", "type": "nps"}
COMMENT_FIELD = {"id": "Yq7mComment1", "ref": "comment", "type": "long_text"}
HIDDEN = ("customer_id", "email", "product", "process", "employee_id", "channel", "language")
_RESPONSES = re.compile(r"^/forms/([^/]+)/responses$")
NUMBER_DIGITS = 16  # of a token: record numbers stay below 10**16


def error(status: int, code: str, description: str) -> Response:
    return Response(status, {"code": code, "description": description})


class Typeform(Vendor):
    name = "typeform"
    prefix = "/typeform"

    def authorized(self, request: Request) -> bool:
        return bearer(request) in self.server.tokens

    def unauthorized(self) -> Response:
        return error(401, "AUTHENTICATION_FAILED", "Authentication credentials not found on the Request Headers")

    def rate_limited(self, retry_after: float | None) -> Response:
        response = error(429, "RATE_LIMIT_EXCEEDED", "Too many requests: at most 2 requests per second")
        if retry_after is not None:
            response.headers["Retry-After"] = f"{retry_after:g}"
        return response

    def server_error(self, status: int) -> Response:
        return error(status, "INTERNAL_SERVER_ERROR", "Something went wrong")

    def limit(self, request: Request) -> tuple[str, int, float] | None:
        return ("typeform", 2, 1.0)

    def handle(self, request: Request) -> Response:
        match = _RESPONSES.match(request.path)
        if request.method != "GET" or not match:
            return error(404, "NOT_FOUND", f"no such endpoint {request.method} {request.path}")
        form_id = match.group(1)
        survey_type = next((t for t, fid in SURVEY_IDS["typeform"].items() if fid == form_id), None)
        if survey_type is None:
            return error(404, "FORM_NOT_FOUND", f"Form {form_id} not found")
        try:
            page_size = int(request.arg("page_size", "25"))
            since = _moment(request.arg("since"), "since")
            until = _moment(request.arg("until"), "until")
        except (ValueError, RecordError) as problem:
            return error(400, "VALIDATION_ERROR", str(problem))
        if not 1 <= page_size <= 1000:
            return error(400, "VALIDATION_ERROR", "page_size must be between 1 and 1000")
        index = self.index(survey_type)
        span = index.span(since, until)
        start, stop = span.start, span.stop
        for name in ("before", "after"):
            token = request.arg(name)
            if token:
                pivot = self.find(token)
                if pivot is None:
                    return error(400, "VALIDATION_ERROR", f"unknown {name} token {token!r}")
                if name == "before":
                    stop = min(stop, bisect.bisect_left(index.rows, index.key(pivot), key=index.key))
                else:
                    start = max(start, bisect.bisect_right(index.rows, index.key(pivot), key=index.key))
        total = max(stop - start, 0)
        newest_first = range(stop - 1, stop - 1 - min(total, page_size), -1)
        body = {
            "total_items": total,
            "page_count": -(-total // page_size),
            "items": [response(index.rows[i]) for i in newest_first],
        }
        return Response(200, body)

    def warm(self) -> None:
        for survey_type in SURVEY_IDS[self.name]:
            self.index(survey_type)

    def index(self, survey_type: str) -> SortedRows:
        def build() -> SortedRows:
            rows = self.world.select("responses", survey_tool="typeform", survey_type=survey_type)
            return SortedRows.of(rows, lambda r: r.moment("responded_at"))

        return self.world.cached("responses", ("typeform", survey_type), build)

    def find(self, token: str) -> Row | None:
        """The response a token names (any form's: Typeform accepts them), None if there is none."""
        number = token[:NUMBER_DIGITS]
        if not (number.isascii() and number.isdigit()):
            return None
        row = self.world.by_number("responses", int(number))
        if row is None or row.get("survey_tool") != "typeform" or row.moment("responded_at") is None:
            return None
        return row if response_token(row) == token else None


def _moment(text: str | None, name: str):
    if not text:
        return None
    return timestamp(int(text) if text.isdigit() else text, name)


def response_token(row: Row) -> str:
    """32 lowercase characters like Typeform's: the record number, then a digest of the response id."""
    digest = hashlib.sha256(row["response_id"].encode()).hexdigest()
    return f"{row['_number']:0{NUMBER_DIGITS}d}{digest}"[:32]


def response(row: Row) -> dict[str, Any]:
    submitted = row.moment("responded_at")
    score = score_value(row)
    answers: list[dict[str, Any]] = []
    if score is not None:
        answers.append({"field": dict(NPS_FIELD), "type": "number", "number": score})
    if row.get("comment"):
        answers.append({"field": dict(COMMENT_FIELD), "type": "text", "text": row["comment"]})
    hidden_values = {**{k: row.get(k) for k in HIDDEN}, "email": row.get("customer_email")}
    token = response_token(row)
    record = {
        "landing_id": token,
        "token": token,
        "response_id": token,
        "response_type": "completed",
        "landed_at": iso_z(submitted - timedelta(minutes=1) if submitted else None),
        "submitted_at": iso_z(submitted),
        "metadata": {"user_agent": "Mozilla/5.0", "platform": "other", "referer": "https://acme.typeform.com/to/form", "network_id": "4f3b2c1a0e", "browser": "default"},  # fmt: skip
        "hidden": {k: v for k, v in hidden_values.items() if v},
        "calculated": {"score": 0},
        "variables": [],
        "answers": answers,
    }
    return deep_update(record, row.get("vendor_overrides"))
