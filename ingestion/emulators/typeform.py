"""Typeform Responses API: `GET /forms/{form_id}/responses`.

`page_size` (default 25, at most 1000), `since` / `until` (submitted_at, ISO 8601 or Unix seconds,
inclusive), `before` / `after` (a response token: only responses submitted before / after it),
newest first. `total_items` and `page_count` count what the filters (including `before`) leave.
Answers of the NPS field (`type: nps`, answer `type: number`), the comment (`long_text`, answer
`type: text`); hidden fields in `hidden`. At most 2 requests per second per account; errors are
{"code", "description"}.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from ingestion.connectors.fields import RecordError, timestamp
from ingestion.emulators.common import SURVEY_IDS, bearer, deep_update, iso_z, moment, score_value
from ingestion.emulators.server import Request, Response, Vendor

NPS_FIELD = {"id": "Xk2pNpsScore", "ref": "nps", "type": "nps"}
COMMENT_FIELD = {"id": "Yq7mComment1", "ref": "comment", "type": "long_text"}
HIDDEN = ("customer_id", "email", "product", "process", "employee_id", "channel", "language")
_RESPONSES = re.compile(r"^/forms/([^/]+)/responses$")


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
        rows = self.world.select("responses", survey_tool="typeform", survey_type=survey_type)
        rows = [r for r in rows if _within(moment(r, "responded_at"), since, until)]
        rows.sort(key=_order, reverse=True)  # newest first
        for name, keep in (("before", lambda o, p: o < p), ("after", lambda o, p: o > p)):
            token = request.arg(name)
            if token:
                pivot = next((r for r in rows if response_token(r) == token), None) or self.find(token)
                if pivot is None:
                    return error(400, "VALIDATION_ERROR", f"unknown {name} token {token!r}")
                rows = [r for r in rows if keep(_order(r), _order(pivot))]
        total = len(rows)
        body = {
            "total_items": total,
            "page_count": -(-total // page_size),
            "items": [response(r) for r in rows[:page_size]],
        }
        return Response(200, body)

    def find(self, token: str) -> dict[str, Any] | None:
        return next((r for r in self.world.select("responses", survey_tool="typeform") if response_token(r) == token), None)


def _moment(text: str | None, name: str):
    if not text:
        return None
    return timestamp(int(text) if text.isdigit() else text, name)


def _within(value, since, until) -> bool:
    return value is not None and (since is None or value >= since) and (until is None or value <= until)


def _order(row: dict[str, Any]) -> tuple:
    return (moment(row, "responded_at"), row["_number"])


def response_token(row: dict[str, Any]) -> str:
    return f"{row['_number']:08d}{row['response_id'].lower()}"[:32].ljust(32, "0")


def response(row: dict[str, Any]) -> dict[str, Any]:
    submitted = moment(row, "responded_at")
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
