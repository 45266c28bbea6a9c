"""SurveyMonkey API v3: `surveys/{id}/responses/bulk` per configured survey.

Pages of up to 100 responses, oldest change first (`sort_by=date_modified`, `sort_order=ASC`),
following `links.next`; increments start at the cursor's `start_modified_at` (inclusive, so the
boundary second is read again and lands as unchanged); a backfill asks for the responses created
within its window (`start_created_at`, `end_created_at`). The NPS answer is a `choice_id`, resolved to
0..10 through the survey's `details` (the choice's weight, else its text). Custom variables carry
customer, product, process and employee; the respondent's email is `metadata.contact.email`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, SecretStr

from ingestion.connectors import fields
from ingestion.connectors.base import Connector, SourceConfig
from ingestion.connectors.survey_mapping import SurveyMapping, canonical_response
from ingestion.http import ApiError, HttpClient, HttpSettings, RateLimitHeaders
from ingestion.landing import Batch
from ingestion.prefetch import prefetched
from ingestion.raw_tables import responses_table
from ingestion.window import Window

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"  # the API's date filters: UTC, to the second


class SurveyMonkeySurvey(SurveyMapping):
    survey_id: str
    score_question: str = Field(description="id of the NPS question (see surveys/{id}/details)")
    comment_question: str | None = None


class SurveyMonkeySourceConfig(SourceConfig):
    type: Literal["surveymonkey"] = "surveymonkey"
    base_url: str = "https://api.surveymonkey.com/v3"
    access_token: SecretStr = Field(description="e.g. ${SURVEYMONKEY_ACCESS_TOKEN}")
    surveys: list[SurveyMonkeySurvey] = Field(min_length=1)
    per_page: int = Field(default=100, ge=1, le=100)
    http: HttpSettings = Field(default_factory=HttpSettings)


def _read_error(body: Any) -> tuple[str | None, str] | None:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("id")), f"{error.get('name')}: {error.get('message')}"
    return None


def client(config: SurveyMonkeySourceConfig) -> HttpClient:
    token = config.access_token.get_secret_value()
    return HttpClient(
        config.name,
        config.base_url,
        config.http,
        default_requests_per_second=2.0,  # 120 per minute
        headers={"Authorization": f"Bearer {token}"},
        secrets=(token,),
        rate_limit_headers=(
            RateLimitHeaders("X-Ratelimit-App-Global-Minute-Remaining", "X-Ratelimit-App-Global-Minute-Reset"),
            RateLimitHeaders("X-Ratelimit-App-Global-Day-Remaining", "X-Ratelimit-App-Global-Day-Reset"),
        ),
        read_error=_read_error,
    )


def choice_scores(details: dict[str, Any], question_id: str, where: str) -> dict[str, int]:
    """choice_id -> 0..10 for the NPS question, from the survey's details."""
    for page in details.get("pages") or []:
        for question in page.get("questions") or []:
            if str(question.get("id")) != question_id:
                continue
            scores = {}
            for choice in (question.get("answers") or {}).get("choices") or []:
                weight = choice.get("weight")
                text = re.match(r"\s*(\d+)", str(choice.get("text") or ""))
                value = weight if isinstance(weight, int) else int(text.group(1)) if text else None
                if value is not None and 0 <= value <= 10:
                    scores[str(choice["id"])] = value
            if len(scores) != 11:
                raise ApiError(f"{where}: question {question_id} has {len(scores)} choices scored 0..10, expected 11")
            return scores
    raise ApiError(f"{where}: question {question_id} not found in the survey details")


def parse_response(item: dict[str, Any], survey: SurveyMonkeySurvey, scores: dict[str, int]) -> dict[str, Any]:
    answers = {
        str(question.get("id")): question.get("answers") or []
        for page in fields.sequence(item.get("pages"), "pages")
        for question in page.get("questions") or []
    }
    nps = answers.get(survey.score_question) or []
    if not nps:
        raise fields.RecordError(f"no answer to the NPS question {survey.score_question}")
    choice = str(nps[0].get("choice_id") or "")
    if choice not in scores:
        raise fields.RecordError(f"answer to {survey.score_question} is not one of its 0..10 choices: {nps[0]!r}")
    comment_answers = answers.get(survey.comment_question or "") or []
    comment = comment_answers[0].get("text") if comment_answers else None
    email = ((item.get("metadata") or {}).get("contact") or {}).get("email") or {}
    named = {"email": email.get("value") or item.get("email_address"), **(item.get("custom_variables") or {})}
    modified = fields.timestamp(item.get("date_modified"), "date_modified", required=True)
    record = canonical_response(
        response_id=item.get("id"),
        responded_at=fields.timestamp(item.get("date_created"), "date_created", required=True),
        score=scores[choice],
        comment=comment,
        named=named,
        mapping=survey,
        attributes={"survey_id": survey.survey_id, "collector_id": item.get("collector_id")},
    )
    return {**record, "payload": item, "_modified_at": modified}


def read_survey(
    http: HttpClient,
    config: SurveyMonkeySourceConfig,
    survey: SurveyMonkeySurvey,
    cursors: dict[str, str],
    window: Window | None = None,
) -> Iterator[Batch]:
    where = f"{config.name}: survey {survey.survey_id}"
    scores = choice_scores(http.get_json(f"surveys/{survey.survey_id}/details", page=False), survey.score_question, where)
    params = {"per_page": config.per_page, "sort_by": "date_modified", "sort_order": "ASC"}
    if window is not None:  # a backfill: the responses created within the window (both bounds inclusive)
        params["start_created_at"] = window.start.strftime(TIME_FORMAT)
        params["end_created_at"] = window.last_second.strftime(TIME_FORMAT)
    elif survey.survey_id in cursors:
        params["start_modified_at"] = cursors[survey.survey_id]
    pages = _pages(http, f"surveys/{survey.survey_id}/responses/bulk", params)
    for items in prefetched(pages, config.per_page):
        batch = Batch()
        for item in items:
            try:
                batch.records.append(parse_response(item, survey, scores))
            except fields.RecordError as error:
                batch.quarantined.append(fields.quarantine(f"{survey.survey_id}/{item.get('id')}", error, item))
        reached = _last_modified(items)
        if reached and window is None:
            cursors[survey.survey_id] = reached
            batch.cursor = json.dumps(cursors, sort_keys=True)
        yield batch


def _pages(http: HttpClient, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The responses of each page, following `links.next` to the last."""
    page: dict[str, Any] = http.get_json(path, params)
    while True:
        yield page.get("data") or []
        next_url = (page.get("links") or {}).get("next")
        if not next_url:
            return
        page = http.get_json(next_url)


def _last_modified(items: list[dict[str, Any]]) -> str | None:
    """start_modified_at for the next run: the last item's date_modified, to the second (UTC)."""
    for item in reversed(items):
        try:
            moment = fields.timestamp(item.get("date_modified"), "date_modified")
        except fields.RecordError:
            continue
        if moment is not None:
            return moment.strftime(TIME_FORMAT)
    return None


def extract(config: SurveyMonkeySourceConfig, object_name: str, cursor: str | None, window: Window | None = None) -> Iterator[Batch]:
    cursors: dict[str, str] = json.loads(cursor) if cursor else {}
    with client(config) as http:
        for survey in config.surveys:
            yield from read_survey(http, config, survey, cursors, window)


CONNECTOR = Connector(
    source_type="surveymonkey",
    config_model=SurveyMonkeySourceConfig,
    tables={"responses": responses_table("surveymonkey")},
    extract=extract,
)
