"""Qualtrics: Survey Response Export API v3, one export per configured survey.

Start an export (`POST surveys/{id}/export-responses`, `format: ndjson`), poll its progress until
it is complete, download the zip by `fileId` to a temporary file and read the one response per line
inside as a stream: a first export of millions of responses never sits in memory. The first export asks for
`allowContinuation`; its `continuationToken` (kept per survey in the cursor) makes the next export
hold only what was recorded since; a backfill exports its window (`startDate`, `endDate`) instead,
without continuation. The NPS question's `values.QIDn` (0..10) is checked against
`QIDn_NPS_GROUP` (1 detractor, 2 passive, 3 promoter); a response where they disagree is quarantined.
"""
from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, Literal

from pydantic import Field, SecretStr
from tenacity import Retrying, retry_if_result, stop_after_delay, wait_fixed

from ingestion.connectors import fields
from ingestion.connectors.base import Connector, SourceConfig
from ingestion.connectors.survey_mapping import BATCH_RECORDS, SurveyMapping, canonical_response
from ingestion.http import ApiError, HttpClient, HttpSettings
from ingestion.landing import Batch
from ingestion.raw_tables import responses_table
from ingestion.window import Window

NPS_GROUPS = {1: "detractor", 2: "passive", 3: "promoter"}


class QualtricsSurvey(SurveyMapping):
    survey_id: str = Field(pattern=r"^SV_\w+$")
    score_question: str = "QID1"  # values.QID1 holds 0..10, values.QID1_NPS_GROUP its group
    comment_question: str | None = "QID2"  # text entry: values.QID2_TEXT
    customer_email: str | None = "recipientEmail"
    channel: str | None = "distributionChannel"
    language: str | None = "userLanguage"


class QualtricsSourceConfig(SourceConfig):
    type: Literal["qualtrics"] = "qualtrics"
    base_url: str = Field(description="https://{datacenter id}.qualtrics.com/API/v3 of your account")
    api_token: SecretStr = Field(description="X-API-TOKEN, e.g. ${QUALTRICS_API_TOKEN}")
    surveys: list[QualtricsSurvey] = Field(min_length=1)
    poll_seconds: float = Field(default=1.0, ge=0)
    export_timeout_seconds: float = Field(default=900.0, gt=0)
    http: HttpSettings = Field(default_factory=HttpSettings)


def _read_error(body: Any) -> tuple[str | None, str] | None:
    error = ((body or {}).get("meta") or {}).get("error") if isinstance(body, dict) else None
    return (error.get("errorCode"), str(error.get("errorMessage"))) if isinstance(error, dict) else None


def client(config: QualtricsSourceConfig) -> HttpClient:
    token = config.api_token.get_secret_value()
    return HttpClient(
        config.name,
        config.base_url,
        config.http,
        default_requests_per_second=5.0,
        headers={"X-API-TOKEN": token},
        secrets=(token,),
        read_error=_read_error,
    )


def export(
    http: HttpClient, config: QualtricsSourceConfig, survey_id: str, token: str | None, sink: BinaryIO, window: Window | None = None
) -> str | None:
    """Run one export to completion, its zip written to `sink`; returns the continuation token for
    the next one. With a window, the responses recorded within it (startDate inclusive, endDate
    exclusive) and no token: Qualtrics does not combine a continuation with date filters."""
    path = f"surveys/{survey_id}/export-responses"
    if window is not None:
        body = {"format": "ndjson", "startDate": _iso(window.start), "endDate": _iso(window.end)}
    else:
        body = {"format": "ndjson", **({"continuationToken": token} if token else {"allowContinuation": True})}
    progress_id = http.post_json(path, body, page=False)["result"]["progressId"]
    polling = Retrying(
        retry=retry_if_result(lambda result: result.get("status") not in ("complete", "failed")),
        wait=wait_fixed(config.poll_seconds),
        stop=stop_after_delay(config.export_timeout_seconds),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    progress = polling(lambda: http.get_json(f"{path}/{progress_id}", page=False)["result"])
    if progress.get("status") != "complete":
        raise ApiError(
            f"{config.name}: export {progress_id} of survey {survey_id} ended {progress.get('status')!r} "
            f"at {progress.get('percentComplete')}% (expected complete within {config.export_timeout_seconds:g}s)"
        )
    http.download(f"{path}/{progress['fileId']}/file", sink)
    return progress.get("continuationToken")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_lines(archive_file: BinaryIO, where: str) -> Iterator[str]:
    """The export's lines, one response each, read from the zip as a stream."""
    try:
        with zipfile.ZipFile(archive_file) as archive:
            names = archive.namelist()
            if len(names) != 1:
                raise ApiError(f"{where}: expected one file in the export zip, found {names}")
            with archive.open(names[0]) as member:
                yield from (line for line in io.TextIOWrapper(member, encoding="utf-8") if line.strip())
    except (zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise ApiError(f"{where}: export file is not a zip holding one JSON response per line: {error}") from None


def json_object(line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError as error:
        raise fields.RecordError(f"line {number} of the export is not JSON: {error}") from None
    if not isinstance(item, dict):
        raise fields.RecordError(f"line {number} of the export is not a JSON object")
    return item


def parse_response(item: dict[str, Any], survey: QualtricsSurvey) -> dict[str, Any]:
    values = fields.mapping(item.get("values"), "values")
    question = survey.score_question
    score = fields.score(values.get(question), f"values.{question}")
    group = values.get(f"{question}_NPS_GROUP")
    if group is not None:
        expected = 1 if score <= 6 else 2 if score <= 8 else 3
        if fields.integer(group, f"{question}_NPS_GROUP") != expected:
            raise fields.RecordError(
                f"values.{question} is {score} ({NPS_GROUPS[expected]}) but {question}_NPS_GROUP is "
                f"{group!r} ({NPS_GROUPS.get(fields.integer(group, 'group'), 'unknown')})"
            )
    responded_at = fields.timestamp(values.get("recordedDate") or values.get("endDate"), "recordedDate", required=True)
    comment = values.get(f"{survey.comment_question}_TEXT") if survey.comment_question else None
    record = canonical_response(
        response_id=item.get("responseId"),
        responded_at=responded_at,
        score=score,
        comment=comment,
        named=values,
        mapping=survey,
        attributes={"survey_id": survey.survey_id},
    )
    return {**record, "payload": item, "_modified_at": responded_at}


def extract(config: QualtricsSourceConfig, object_name: str, cursor: str | None, window: Window | None = None) -> Iterator[Batch]:
    tokens: dict[str, str] = json.loads(cursor) if cursor else {}
    with client(config) as http:
        for survey in config.surveys:
            with tempfile.TemporaryFile(prefix="qualtrics-export-") as archive_file:
                next_token = export(http, config, survey.survey_id, tokens.get(survey.survey_id), archive_file, window)
                batch = Batch()
                lines = export_lines(archive_file, f"{config.name}: survey {survey.survey_id}")
                for number, line in enumerate(lines, start=1):
                    if len(batch.records) + len(batch.quarantined) >= BATCH_RECORDS:
                        yield batch
                        batch = Batch()
                    item: Any = line
                    try:
                        item = json_object(line, number)
                        batch.records.append(parse_response(item, survey))
                    except fields.RecordError as error:
                        reference = item.get("responseId") if isinstance(item, dict) else f"line {number}"
                        batch.quarantined.append(fields.quarantine(f"{survey.survey_id}/{reference}", error, item))
            if next_token:  # the token covers the whole export: it lands with the last batch
                tokens[survey.survey_id] = next_token
                batch.cursor = json.dumps(tokens, sort_keys=True)
            yield batch


CONNECTOR = Connector(
    source_type="qualtrics",
    config_model=QualtricsSourceConfig,
    tables={"responses": responses_table("qualtrics")},
    extract=extract,
)
