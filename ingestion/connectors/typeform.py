"""Typeform Responses API: `forms/{form_id}/responses` per configured form.

Responses come newest first, up to 1000 per page; increments ask `since` the latest `submitted_at`
already landed (inclusive: the boundary second is read again and lands as unchanged), and further
pages ask `before` the last token of the page while more remain. As pages go backwards in time, the
form's cursor only moves once its last page has landed. A backfill asks for the window instead
(`since`, `until`). Typeform allows 2 requests per second.
Submitted responses do not change, so there is nothing else to pick up.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
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

SCORE_FIELD_TYPES = ("nps", "opinion_scale", "rating", "number")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"  # `since` / `until`, UTC


class TypeformForm(SurveyMapping):
    form_id: str
    score_field: str = "nps"  # ref (or id) of the NPS / opinion scale field
    comment_field: str | None = "comment"  # ref (or id) of the comment field


class TypeformSourceConfig(SourceConfig):
    type: Literal["typeform"] = "typeform"
    base_url: str = "https://api.typeform.com"
    access_token: SecretStr = Field(description="personal access token, e.g. ${TYPEFORM_ACCESS_TOKEN}")
    forms: list[TypeformForm] = Field(min_length=1)
    page_size: int = Field(default=1000, ge=1, le=1000)
    http: HttpSettings = Field(default_factory=HttpSettings)


def _read_error(body: Any) -> tuple[str | None, str] | None:
    if isinstance(body, dict) and "code" in body:
        return str(body["code"]), f"{body['code']}: {body.get('description')}"
    return None


def client(config: TypeformSourceConfig) -> HttpClient:
    token = config.access_token.get_secret_value()
    return HttpClient(
        config.name,
        config.base_url,
        config.http,
        # Typeform allows 2 per second; a little under it leaves room for network jitter.
        default_requests_per_second=1.8,
        headers={"Authorization": f"Bearer {token}"},
        secrets=(token,),
        read_error=_read_error,
    )


def parse_response(item: dict[str, Any], form: TypeformForm) -> dict[str, Any]:
    answers = {}
    for answer in fields.sequence(item.get("answers"), "answers"):
        field = answer.get("field") or {}
        for name in (field.get("ref"), field.get("id")):
            if name:
                answers[name] = answer
    nps = answers.get(form.score_field)
    if nps is None:
        raise fields.RecordError(f"no answer to the NPS field {form.score_field}")
    if nps.get("type") != "number" or (nps.get("field") or {}).get("type") not in SCORE_FIELD_TYPES:
        raise fields.RecordError(f"answer to {form.score_field} is {nps.get('type')!r}, expected a number from an nps or opinion_scale field")
    comment = (answers.get(form.comment_field or "") or {}).get("text")
    submitted = fields.timestamp(item.get("submitted_at"), "submitted_at", required=True)
    named = {**(item.get("hidden") or {}), "platform": (item.get("metadata") or {}).get("platform")}
    record = canonical_response(
        response_id=item.get("token") or item.get("response_id"),
        responded_at=submitted,
        score=fields.score(nps.get("number"), f"answer to {form.score_field}"),
        comment=comment,
        named=named,
        mapping=form,
        attributes={"form_id": form.form_id},
    )
    record["payload"], record["_modified_at"] = item, submitted
    return record


def read_form(
    http: HttpClient, config: TypeformSourceConfig, form: TypeformForm, cursors: dict[str, str], window: Window | None = None
) -> Iterator[Batch]:
    params: dict[str, Any] = {"page_size": config.page_size}
    if window is not None:  # a backfill: the responses submitted within the window (`until` is inclusive)
        params["since"] = window.start.strftime(TIME_FORMAT)
        params["until"] = window.last_second.strftime(TIME_FORMAT)
    elif form.form_id in cursors:
        params["since"] = cursors[form.form_id]
    latest: datetime | None = None
    for items, more in prefetched(_pages(http, config, form, params), config.page_size):
        batch = Batch()
        for item in items:
            try:
                record = parse_response(item, form)
            except fields.RecordError as error:
                batch.quarantined.append(fields.quarantine(f"{form.form_id}/{item.get('token')}", error, item))
                continue
            batch.records.append(record)
            latest = max(latest or record["responded_at"], record["responded_at"])
        if not more and window is None:
            if latest is not None:
                cursors[form.form_id] = latest.strftime(TIME_FORMAT)
            batch.cursor = json.dumps(cursors, sort_keys=True) if form.form_id in cursors else None
        yield batch


def _pages(http: HttpClient, config: TypeformSourceConfig, form: TypeformForm, params: dict[str, Any]) -> Iterator[tuple[list, bool]]:
    """(page, whether more follow) of the form's responses, newest first."""
    while True:
        page = http.get_json(f"forms/{form.form_id}/responses", params)
        items = page.get("items") or []
        more = len(items) == config.page_size and int(page.get("page_count") or 0) > 1
        yield items, more
        if not more:
            return
        params["before"] = items[-1]["token"]


def extract(config: TypeformSourceConfig, object_name: str, cursor: str | None, window: Window | None = None) -> Iterator[Batch]:
    cursors: dict[str, str] = json.loads(cursor) if cursor else {}
    with client(config) as http:
        for form in config.forms:
            yield from read_form(http, config, form, cursors, window)


CONNECTOR = Connector(
    source_type="typeform",
    config_model=TypeformSourceConfig,
    tables={"responses": responses_table("typeform")},
    extract=extract,
)
