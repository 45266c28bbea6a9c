"""SurveyMonkey API v3: `/v3/surveys/{id}/details` and `/v3/surveys/{id}/responses/bulk`.

Bulk responses: `per_page` (default 50, at most 100), `page`, `start_modified_at` /
`end_modified_at` and `start_created_at` / `end_created_at` (YYYY-MM-DDTHH:MM:SS, UTC, both bounds
inclusive), `sort_by=date_modified`, `sort_order` (default DESC);
`links.next` while more pages remain. Answers reference choice ids that the survey's details resolve
(the NPS question's choices carry text "0".."10" and weight 0..10). Every reply carries the
X-Ratelimit-App-Global-Minute/Day-Limit/Remaining/Reset headers; errors are
{"error": {"id", "name", "docs", "message", "http_status_code"}}.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from ingestion.connectors.fields import timestamp
from ingestion.emulators.common import SURVEY_IDS, SortedRows, bearer, deep_update, score_value
from ingestion.emulators.rows import Row
from ingestion.emulators.server import Request, Response, Vendor

NPS_QUESTION, NPS_ROW, COMMENT_QUESTION, PAGE_ID = "275117401", "2726192001", "275117402", "41296521"
MINUTE_LIMIT, DAY_LIMIT = 120, 500_000
_DETAILS = re.compile(r"^/v3/surveys/([^/]+)/details$")
_BULK = re.compile(r"^/v3/surveys/([^/]+)/responses/bulk$")


def choice_id(score: int) -> str:
    return str(1_827_160_000 + score)


def error(status: int, error_id: str, name: str, message: str) -> Response:
    body = {"error": {"id": error_id, "name": name, "docs": "https://api.surveymonkey.com/v3/docs#error-codes", "message": message, "http_status_code": status}}  # fmt: skip
    return Response(status, body)


class SurveyMonkey(Vendor):
    name = "surveymonkey"
    prefix = "/surveymonkey"

    def authorized(self, request: Request) -> bool:
        return bearer(request) in self.server.tokens

    def unauthorized(self) -> Response:
        return error(401, "1011", "Authorization Error", "The authorization token provided was invalid.")

    def rate_limited(self, retry_after: float | None) -> Response:
        response = error(429, "1040", "Rate Limit Reached", "Too many requests were made, try again later.")
        response.headers.update(self.limit_headers(remaining=0, reset=retry_after))
        if retry_after is not None:
            response.headers["Retry-After"] = f"{retry_after:g}"
        return response

    def server_error(self, status: int) -> Response:
        return error(status, "1050", "Internal Server Error", "Oh bananas! We couldn't process your request.")

    def limit(self, request: Request) -> tuple[str, int, float] | None:
        return ("surveymonkey", MINUTE_LIMIT, 60.0)

    def limit_headers(self, remaining: int, reset: float | None) -> dict[str, str]:
        seconds_left = reset if reset is not None else 60 - datetime.now(UTC).second
        return {
            "X-Ratelimit-App-Global-Minute-Limit": str(MINUTE_LIMIT),
            "X-Ratelimit-App-Global-Minute-Remaining": str(max(remaining, 0)),
            "X-Ratelimit-App-Global-Minute-Reset": f"{seconds_left:g}",
            "X-Ratelimit-App-Global-Day-Limit": str(DAY_LIMIT),
            "X-Ratelimit-App-Global-Day-Remaining": str(DAY_LIMIT - self.server.request_count(self.name)),
            "X-Ratelimit-App-Global-Day-Reset": str(86_400 - datetime.now(UTC).hour * 3600),
        }

    def handle(self, request: Request) -> Response:
        response = self.route(request)
        used = self.server.window_count("surveymonkey", 60.0)
        response.headers.update(self.limit_headers(remaining=MINUTE_LIMIT - used, reset=None))
        return response

    def route(self, request: Request) -> Response:
        if request.method == "GET" and (match := _DETAILS.match(request.path)):
            survey_type = self.survey_type(match.group(1))
            return details(match.group(1)) if survey_type else self.not_found(match.group(1))
        if request.method == "GET" and (match := _BULK.match(request.path)):
            return self.bulk(match.group(1), request)
        return error(404, "1020", "Resource Not Found", f"There was an error retrieving the requested resource {request.path}.")

    def survey_type(self, survey_id: str) -> str | None:
        return next((t for t, sid in SURVEY_IDS["surveymonkey"].items() if sid == survey_id), None)

    def not_found(self, survey_id: str) -> Response:
        return error(404, "1020", "Resource Not Found", f"Survey {survey_id} was not found.")

    def bulk(self, survey_id: str, request: Request) -> Response:
        survey_type = self.survey_type(survey_id)
        if survey_type is None:
            return self.not_found(survey_id)
        try:
            per_page = int(request.arg("per_page", "50"))
            page = int(request.arg("page", "1"))
            start = _time_bound(request.arg("start_modified_at"))
            end = _time_bound(request.arg("end_modified_at"))
            created_start = _time_bound(request.arg("start_created_at"))
            created_end = _time_bound(request.arg("end_created_at"))
        except ValueError as problem:
            return error(400, "1002", "Invalid Request", str(problem))
        if not 1 <= per_page <= 100 or page < 1:
            return error(400, "1002", "Invalid Request", "per_page must be between 1 and 100 and page at least 1.")
        index = self.index(survey_type)
        positions = index.span(start, end)
        if (request.arg("sort_order") or "DESC").upper() == "DESC":
            positions = positions[::-1]
        if created_start or created_end:
            positions = [i for i in positions if _between(index.rows[i].moment("responded_at"), created_start, created_end)]
        total, last_page = len(positions), max(1, -(-len(positions) // per_page))
        data = [response(survey_id, index.rows[i]) for i in positions[(page - 1) * per_page : page * per_page]]
        url = f"{request.base_url}{request.path}"
        params = {k: v[0] for k, v in request.query.items() if k not in ("page", "replayed")}
        links = {"self": f"{url}?{urlencode({**params, 'page': page})}", "last": f"{url}?{urlencode({**params, 'page': last_page})}"}
        if page < last_page:
            replay = request.arg("replayed") is None and self.server.duplicate_page()
            following = {"page": page, "replayed": 1} if replay else {"page": page + 1}
            links["next"] = f"{url}?{urlencode({**params, **following})}"
        if page > 1:
            links["prev"] = f"{url}?{urlencode({**params, 'page': page - 1})}"
        return Response(200, {"data": data, "per_page": per_page, "page": page, "total": total, "links": links})

    def warm(self) -> None:
        for survey_type in SURVEY_IDS[self.name]:
            self.index(survey_type)

    def index(self, survey_type: str) -> SortedRows:
        def build() -> SortedRows:
            rows = self.world.select("responses", survey_tool="surveymonkey", survey_type=survey_type)
            return SortedRows.of(rows, lambda r: r["_modified_at"])

        return self.world.cached("responses", ("surveymonkey", survey_type), build)


def _between(value: datetime | None, low: datetime | None, high: datetime | None) -> bool:
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def _time_bound(text: str | None) -> datetime | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", text):
        raise ValueError(f"invalid date {text!r}: expected YYYY-MM-DDTHH:MM:SS")
    return timestamp(text, "date bound")


def details(survey_id: str) -> Response:
    choices = [{"id": choice_id(s), "position": s + 1, "visible": True, "text": str(s), "weight": s} for s in range(11)]
    questions = [
        {
            "id": NPS_QUESTION, "position": 1, "family": "matrix", "subtype": "rating", "visible": True,
            "headings": [{"heading": "How likely is it that you would recommend us to a friend or colleague?"}],
            "answers": {"rows": [{"id": NPS_ROW, "position": 1, "visible": True, "text": ""}], "choices": choices},
        },
        {
            "id": COMMENT_QUESTION, "position": 2, "family": "open_ended", "subtype": "essay", "visible": True,
            "headings": [{"heading": "What is the most important reason for your score?"}],
        },
    ]  # fmt: skip
    body = {"id": survey_id, "title": f"NPS {survey_id}", "question_count": 2, "page_count": 1, "pages": [{"id": PAGE_ID, "position": 1, "questions": questions}]}  # fmt: skip
    return Response(200, body)


def response_id(row: Row) -> str:
    return str(114_000_000_000 + row["_number"])


def response(survey_id: str, row: Row) -> dict[str, Any]:
    score = score_value(row)
    answers: list[dict[str, Any]] = []
    if score is not None:
        answer = {"choice_id": choice_id(score), "row_id": NPS_ROW} if isinstance(score, int) and score <= 10 else {"text": str(score)}
        answers.append({"id": NPS_QUESTION, "answers": [answer]})
    if row.get("comment"):
        answers.append({"id": COMMENT_QUESTION, "answers": [{"text": row["comment"]}]})
    created = row.moment("responded_at")
    custom = {k: row.get(k) for k in ("customer_id", "product", "process", "employee_id", "channel", "language")}
    record = {
        "id": response_id(row),
        "recipient_id": "",
        "collection_mode": "default",
        "response_status": "completed",
        "custom_value": "",
        "first_name": "",
        "last_name": "",
        "email_address": row.get("customer_email") or "",
        "ip_address": "",
        "logic_path": {},
        "metadata": {"contact": {"email": {"type": "string", "value": row.get("customer_email") or ""}}},
        "page_path": [],
        "collector_id": "431245361",
        "survey_id": survey_id,
        "custom_variables": {k: v for k, v in custom.items() if v},
        "edit_url": "",
        "analyze_url": "",
        "total_time": 95,
        "date_modified": row["_modified_at"].isoformat(),
        "date_created": created.isoformat() if created else None,
        "href": f"https://api.surveymonkey.com/v3/surveys/{survey_id}/responses/{response_id(row)}",
        "pages": [{"id": PAGE_ID, "questions": answers}],
    }
    return deep_update(record, row.get("vendor_overrides"))
