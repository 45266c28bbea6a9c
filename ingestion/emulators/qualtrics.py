"""Qualtrics Survey Response Export API v3 (`/API/v3/surveys/{surveyId}/export-responses`).

Start an export (POST, `format: ndjson`, optional `allowContinuation` or `continuationToken`), poll
its progress until `status: complete` (the first poll says `inProgress`; the file is built in the
background meanwhile, once, onto disk), download the zip holding `<survey>.json` with one response
{"responseId", "values": {...}, "labels": {...}} per line. A
continuation token exports what was recorded or changed since the export that returned it; it cannot
be combined with the filters `startDate` (inclusive) and `endDate` (exclusive) on recordedDate. Auth is
the `X-API-TOKEN` header; errors are {"meta": {"httpStatus", "error": {"errorMessage", "errorCode"}}}.
"""
from __future__ import annotations

import json
import re
import tempfile
import threading
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ingestion.connectors.fields import RecordError, timestamp
from ingestion.emulators.common import (
    SURVEY_IDS,
    SortedRows,
    decode_token,
    deep_update,
    encode_token,
    iso_z,
    nps_group,
    score_value,
)
from ingestion.emulators.rows import Row
from ingestion.emulators.server import Request, Response, Vendor

_START = re.compile(r"^/API/v3/surveys/([^/]+)/export-responses$")
_PROGRESS = re.compile(r"^/API/v3/surveys/([^/]+)/export-responses/(ES_[^/]+)$")
_FILE = re.compile(r"^/API/v3/surveys/([^/]+)/export-responses/([^/]+)/file$")
STATUS_TEXT = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip


def envelope(status: int, message: str | None = None, code: str | None = None, result: Any = None) -> Response:
    meta: dict[str, Any] = {"httpStatus": f"{status} - {STATUS_TEXT.get(status, '')}", "requestId": str(uuid.uuid4())}
    if message:
        meta["error"] = {"errorMessage": message, "errorCode": code}
    body: dict[str, Any] = {"meta": meta}
    if result is not None:
        body["result"] = result
    return Response(status, body)


class Qualtrics(Vendor):
    name = "qualtrics"
    prefix = "/qualtrics"

    def __init__(self, world, server):
        super().__init__(world, server)
        self.exports: dict[str, dict[str, Any]] = {}
        self.files: dict[str, Path] = {}
        # Export files live on disk while the emulator runs: at 10M responses one is hundreds of MB.
        self._directory = tempfile.TemporaryDirectory(prefix="nps-qualtrics-exports-")

    def authorized(self, request: Request) -> bool:
        return request.headers.get("X-API-TOKEN") in self.server.tokens

    def unauthorized(self) -> Response:
        return envelope(401, "Authentication failed: invalid API token", "AUTH_INVALID")

    def rate_limited(self, retry_after: float | None) -> Response:
        response = envelope(429, "Too many requests for this API token; try again later", "RATE_LIMIT_EXCEEDED")
        if retry_after is not None:
            response.headers["Retry-After"] = f"{retry_after:g}"
        return response

    def server_error(self, status: int) -> Response:
        return envelope(status, "An internal error occurred", "SERVER_ERROR")

    def limit(self, request: Request) -> tuple[str, int, float] | None:
        if request.method == "POST":
            return ("qualtrics:export-start", 100, 60.0)  # export starts per minute
        return ("qualtrics", 3000, 60.0)

    def handle(self, request: Request) -> Response:
        if request.method == "POST" and (match := _START.match(request.path)):
            return self.start(match.group(1), request)
        if request.method == "GET" and (match := _PROGRESS.match(request.path)):
            return self.progress(match.group(1), match.group(2))
        if request.method == "GET" and (match := _FILE.match(request.path)):
            return self.file(match.group(1), match.group(2))
        return envelope(404, f"no such resource: {request.method} {request.path}", "NOT_FOUND")

    def survey_type(self, survey_id: str) -> str | None:
        return next((t for t, sid in SURVEY_IDS["qualtrics"].items() if sid == survey_id), None)

    def start(self, survey_id: str, request: Request) -> Response:
        survey_type = self.survey_type(survey_id)
        if survey_type is None:
            return envelope(404, f"survey {survey_id} not found", "SURVEY_NOT_FOUND")
        body = request.json() or {}
        if body.get("format") != "ndjson":
            return envelope(400, f"format must be one of csv, tsv, spss, json, ndjson, xml; emulated: ndjson (got {body.get('format')!r})", "INVALID_FORMAT")
        since: datetime | None = None
        if "continuationToken" in body:
            if set(body) - {"format", "continuationToken", "allowContinuation"}:
                return envelope(400, "continuationToken cannot be combined with other filters", "INVALID_PARAMETERS")
            token = decode_token(str(body["continuationToken"]))
            if not isinstance(token, dict) or token.get("survey") != survey_id:
                return envelope(400, "invalid continuationToken", "INVALID_CONTINUATION_TOKEN")
            try:
                since = timestamp(token.get("changed_after"), "continuationToken")
            except RecordError:
                return envelope(400, "invalid continuationToken", "INVALID_CONTINUATION_TOKEN")
        try:
            start, end = _date_filter(body, "startDate"), _date_filter(body, "endDate")
        except RecordError as problem:
            return envelope(400, str(problem), "INVALID_PARAMETERS")
        progress_id = "ES_" + uuid.uuid4().hex[:15]
        with self.world.lock:
            index = self.index(survey_type)
            changed = [index.rows[i] for i in index.span(since, low_open=True)]
            rows = [r for r in changed if _recorded_within(r, start, end)]
            # The next continuation exports what changes after the latest change seen now: a moment,
            # not a counter, so it holds for the same survey served again (one day longer).
            until = index.value(index.rows[-1]) if index.rows else since
        export = {
            "survey": survey_id, "until": until, "polls": 0, "total": len(rows), "written": 0, "built": threading.Event(),
            "continuation": bool(body.get("allowContinuation") or "continuationToken" in body),
        }  # fmt: skip
        self.exports[progress_id] = export
        threading.Thread(target=self.build, args=(export, rows), name=f"qualtrics-{progress_id}", daemon=True).start()
        return envelope(200, result={"progressId": progress_id, "percentComplete": 0.0, "status": "inProgress"})

    def progress(self, survey_id: str, progress_id: str) -> Response:
        export = self.exports.get(progress_id)
        if export is None or export["survey"] != survey_id:
            return envelope(404, f"export {progress_id} not found", "EXPORT_NOT_FOUND")
        export["polls"] += 1
        # The file id is handed out only once its file exists, and never before the second poll.
        if export["polls"] < 2 or not export["built"].is_set():
            percent = 100.0 * export["written"] / export["total"] if export["total"] else 0.0
            return envelope(200, result={"percentComplete": round(min(percent, 99.0), 1), "status": "inProgress"})
        if "error" in export:
            return envelope(200, result={"percentComplete": 0.0, "status": "failed"})
        result: dict[str, Any] = {"fileId": export["file_id"], "percentComplete": 100.0, "status": "complete"}
        if export["continuation"]:
            until = export["until"]
            changed_after = until.isoformat() if until else None
            result["continuationToken"] = encode_token({"survey": survey_id, "changed_after": changed_after})
        return envelope(200, result=result)

    def build(self, export: dict[str, Any], rows: list[Row]) -> None:
        """Writes the export's zip in the background, a line per response, without holding it whole."""
        file_id = f"{uuid.uuid4()}-def"
        path = Path(self._directory.name) / f"{file_id}.zip"
        try:
            with (
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
                archive.open(f"NPS survey {export['survey']}.json", "w", force_zip64=True) as member,
            ):
                for start in range(0, len(rows), 1000):
                    chunk = rows[start:start + 1000]
                    member.write("".join(json.dumps(response(r)) + "\n" for r in chunk).encode("utf-8"))
                    export["written"] += len(chunk)
            self.files[file_id] = path
            export["file_id"] = file_id
        except Exception as error:  # a failed build shows as `status: failed`, as Qualtrics reports it
            export["error"] = repr(error)
        finally:
            export["built"].set()

    def warm(self) -> None:
        for survey_type in SURVEY_IDS[self.name]:
            self.index(survey_type)

    def index(self, survey_type: str) -> SortedRows:
        def build() -> SortedRows:
            rows = self.world.select("responses", survey_tool="qualtrics", survey_type=survey_type)
            return SortedRows.of(rows, lambda r: r["_modified_at"])

        return self.world.cached("responses", ("qualtrics", survey_type), build)

    def file(self, survey_id: str, file_id: str) -> Response:
        path = self.files.get(file_id)
        if path is None:
            return envelope(404, f"file {file_id} not found", "FILE_NOT_FOUND")
        return Response(200, path, content_type="application/octet-stream")


def _date_filter(body: dict[str, Any], name: str) -> datetime | None:
    """startDate / endDate: ISO 8601 date-times with an offset (or Z)."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        raise RecordError(f"{name} must be an ISO 8601 date-time with a timezone, e.g. 2024-01-31T00:00:00Z (got {value!r})")
    return timestamp(value, name, required=True)


def _recorded_within(row: Row, start: datetime | None, end: datetime | None) -> bool:
    """startDate is inclusive, endDate exclusive; without them every response is exported."""
    if start is None and end is None:
        return True
    recorded = row.moment("responded_at")
    return recorded is not None and (start is None or recorded >= start) and (end is None or recorded < end)


def response_id(row: Row) -> str:
    return f"R_{row['response_id']}"


def response(row: Row) -> dict[str, Any]:
    recorded = row.moment("responded_at")
    score = score_value(row)
    values: dict[str, Any] = {
        "startDate": iso_z(recorded - timedelta(minutes=2) if recorded else None),
        "endDate": iso_z(recorded),
        "status": 0,
        "progress": 100,
        "duration": 120,
        "finished": 1,
        "recordedDate": iso_z(recorded, millis=True),
        "_recordId": response_id(row),
        "distributionChannel": row.get("channel") or "anonymous",
        "userLanguage": (row.get("language") or "").upper() or None,
        "recipientEmail": row.get("customer_email") or None,
        "QID1": score,
        "QID2_TEXT": row.get("comment") or None,
        # Embedded data set by the distribution:
        "customer_id": row.get("customer_id") or None,
        "product": row.get("product") or None,
        "process": row.get("process") or None,
        "employee_id": row.get("employee_id") or None,
    }
    if (group := nps_group(score)) is not None:
        values["QID1_NPS_GROUP"] = group
    values = {k: v for k, v in values.items() if v is not None}
    record = {
        "responseId": response_id(row),
        "values": values,
        "labels": {"status": "IP Address", "finished": "True", **({"QID1": str(score)} if score is not None else {})},
        "displayedFields": ["QID1", "QID2"],
        "displayedValues": {"QID1": list(range(11))},
    }
    return deep_update(record, row.get("vendor_overrides"))
