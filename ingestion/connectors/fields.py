"""Typed reading of API record fields; a value that cannot be read raises RecordError, whose message
becomes the quarantine reason."""
from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from typing import Any

from ingestion.landing import QuarantineRecord


class RecordError(ValueError):
    """A record that cannot be landed; the message says what is wrong with it."""


_SCORE = re.compile(r"\s*(10|[0-9])(\.0+)?\s*")
# Raw `integer` columns are 32-bit on DuckDB and PostgreSQL; a larger value would fail the whole batch.
INTEGER_RANGE = (-(2**31), 2**31 - 1)


def timestamp(value: Any, field: str, required: bool = False) -> datetime | None:
    """ISO 8601 text (Z or offset; Salesforce's +0000 too) or epoch seconds/milliseconds -> UTC."""
    if value is None or value == "":
        if required:
            raise RecordError(f"missing {field}")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError(f"invalid {field} {value!r}: expected epoch seconds or milliseconds within years 1..9999") from None
    if type(value) is str:  # the common case, read as is: several times faster than the general path
        try:
            return in_utc(datetime.fromisoformat(value), f"invalid {field} {value!r}")
        except ValueError:
            pass
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d{4}-\d\d-\d\dT.*[+-]\d{4}", text):  # 2024-01-02T03:04:05.000+0000
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"invalid {field} {value!r}: expected an ISO 8601 timestamp") from None
    return in_utc(moment, f"invalid {field} {value!r}")


def in_utc(moment: datetime, problem: str) -> datetime:
    """A parsed timestamp in UTC (no offset: read as UTC); RecordError `problem` if UTC cannot hold it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise RecordError(f"{problem}: outside years 1..9999 in UTC") from None


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
    low, high = INTEGER_RANGE
    if not low <= number <= high:
        raise RecordError(f"invalid {field} {value!r}: expected an integer from {low} to {high}")
    return int(number)


def decimal(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError(f"invalid {field} {value!r}: expected a number") from None
    if not math.isfinite(number):
        raise RecordError(f"invalid {field} {value!r}: expected a finite number")
    return number


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
    if type(value) is int and 0 <= value <= 10:  # the usual answer: no need to read it as text
        return value
    if value is None or value == "":
        raise RecordError(f"missing score ({field})")
    if isinstance(value, bool) or not _SCORE.fullmatch(str(value)):
        raise RecordError(f"invalid score {value!r} in {field}: expected an integer 0..10")
    return int(float(value))


def mapping(value: Any, field: str) -> dict[str, Any]:
    """A JSON object the record nests (absent: empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"invalid {field} {value!r}: expected an object")
    return value


def sequence(value: Any, field: str) -> list[Any]:
    """A JSON array the record nests (absent: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"invalid {field} {value!r}: expected a list")
    return value


def text(value: Any) -> str | None:
    if value is None:
        return None
    value = (value if type(value) is str else str(value)).strip()
    return value or None


def required_text(value: Any, field: str) -> str:
    found = text(value)
    if found is None:
        raise RecordError(f"missing {field}")
    return found


def quarantine(record_ref: str, error: Exception, payload: Any) -> QuarantineRecord:
    return QuarantineRecord(record_ref, str(error), json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True))
