"""Typed reading of API record fields; a value that cannot be read raises RecordError, whose message
becomes the quarantine reason."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from ingestion.landing import QuarantineRecord


class RecordError(ValueError):
    """A record that cannot be landed; the message says what is wrong with it."""


_SCORE = re.compile(r"\s*(10|[0-9])(\.0+)?\s*")


def timestamp(value: Any, field: str, required: bool = False) -> datetime | None:
    """ISO 8601 text (Z or offset; Salesforce's +0000 too) or epoch seconds/milliseconds -> UTC."""
    if value is None or value == "":
        if required:
            raise RecordError(f"missing {field}")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC)
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d{4}-\d\d-\d\dT.*[+-]\d{4}", text):  # 2024-01-02T03:04:05.000+0000
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"invalid {field} {value!r}: expected an ISO 8601 timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def calendar_date(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordError(f"invalid {field} {value!r}: expected a date YYYY-MM-DD") from None


def integer(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError(f"invalid {field} {value!r}: expected an integer") from None
    if not number.is_integer():
        raise RecordError(f"invalid {field} {value!r}: expected an integer")
    return int(number)


def decimal(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RecordError(f"invalid {field} {value!r}: expected a number") from None


def boolean(value: Any, field: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise RecordError(f"invalid {field} {value!r}: expected true or false")


def score(value: Any, field: str) -> int:
    """An NPS answer: an integer 0..10."""
    if value is None or value == "":
        raise RecordError(f"missing score ({field})")
    if isinstance(value, bool) or not _SCORE.fullmatch(str(value)):
        raise RecordError(f"invalid score {value!r} in {field}: expected an integer 0..10")
    return int(float(value))


def text(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def required_text(value: Any, field: str) -> str:
    found = text(value)
    if found is None:
        raise RecordError(f"missing {field}")
    return found


def quarantine(record_ref: str, error: Exception, payload: Any) -> QuarantineRecord:
    return QuarantineRecord(record_ref, str(error), json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True))
