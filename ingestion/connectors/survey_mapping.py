"""Per-survey mapping from a tool's response to the canonical response (raw `<tool>__responses`).

Each tool exposes a response's extra values under names: Qualtrics embedded data and standard
fields (`values`), SurveyMonkey custom variables, Typeform hidden fields, Delighted person
properties. A `SurveyMapping` says which of those names holds the customer id, email, product,
process, employee, channel and language, and what survey type the survey is; the tool's connector
says where the score and the comment are.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ingestion.connectors import fields
from ingestion.connectors.base import StrictModel, SurveyType

SURVEY_TYPES = ("transactional", "relational")
BATCH_RECORDS = 5_000


class SurveyMapping(StrictModel):
    survey_type: SurveyType = "transactional"
    # A field whose value (transactional | relational) overrides survey_type per response.
    survey_type_field: str | None = None
    customer_id: str | None = Field(default="customer_id", description="field holding the CRM customer id")
    customer_email: str | None = "email"
    product: str | None = "product"
    process: str | None = "process"
    employee_id: str | None = "employee_id"
    channel: str | None = "channel"
    language: str | None = "language"


def canonical_response(
    *,
    response_id: Any,
    responded_at: datetime | None,
    score: int,
    comment: Any,
    named: dict[str, Any],
    mapping: SurveyMapping,
    attributes: dict[str, Any],
) -> dict[str, Any]:
    """The canonical response record; `named` holds the tool's named values for this response."""
    # Read once per response of every survey: the mapping's names are looked up in place rather than
    # through a helper per column (a third of parsing a response).
    get, text = named.get, fields.text
    survey_type = (text(get(name)) if (name := mapping.survey_type_field) else None) or mapping.survey_type
    if survey_type not in SURVEY_TYPES:
        raise fields.RecordError(f"invalid survey type {survey_type!r} in {mapping.survey_type_field}: expected transactional or relational")
    if responded_at is None:
        raise fields.RecordError("missing response time")
    language = text(get(name)) if (name := mapping.language) else None
    return {
        "response_id": fields.required_text(response_id, "response id"),
        "responded_at": responded_at,
        "score": score,
        "comment": text(comment),
        "customer_id": text(get(name)) if (name := mapping.customer_id) else None,
        "customer_email": text(get(name)) if (name := mapping.customer_email) else None,
        "product": text(get(name)) if (name := mapping.product) else None,
        "process": text(get(name)) if (name := mapping.process) else None,
        "employee_id": text(get(name)) if (name := mapping.employee_id) else None,
        "survey_type": survey_type,
        "channel": text(get(name)) if (name := mapping.channel) else None,
        "language": language.lower() if language else None,
        "attributes": {k: v for k, v in attributes.items() if v is not None} or None,
    }
