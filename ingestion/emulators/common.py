"""What the emulated vendors share: the demo surveys, world-row readers, opaque paging tokens,
sorted indexes to page through, and a pause of garbage collection for building them."""
from __future__ import annotations

import base64
import bisect
import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingestion.emulators.rows import NUMBER, Row, RowList

# The surveys each emulated tool holds, by survey type (Delighted: one project, type in properties).
SURVEY_IDS = {
    "qualtrics": {"transactional": "SV_3kTransactNps", "relational": "SV_9mRelationNps"},
    "surveymonkey": {"transactional": "408215101", "relational": "408215102"},
    "typeform": {"transactional": "tNpsTx01", "relational": "tNpsRel1"},
}


def iso_z(value: datetime | None, millis: bool = False) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{value.microsecond // 1000:03d}Z" if millis else "Z")


def score_value(row: Row) -> int | str | None:
    """The world's score as the tool stores it: an integer, or the raw text when it is not one."""
    raw = (row.get("score") or "").strip()
    return int(raw) if raw.isdigit() else (raw or None)


def nps_group(score: int | str | None) -> int | None:
    """Qualtrics' NPS group: 1 detractor, 2 passive, 3 promoter."""
    if not isinstance(score, int):
        return None
    return 1 if score <= 6 else 2 if score <= 8 else 3


def deep_update(target: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Tests change a vendor record's shape through a row's `vendor_overrides` (None deletes)."""
    for key, value in (overrides or {}).items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_update(target[key], value)
        else:
            target[key] = value
    return target


def encode_token(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any] | None:
    try:
        return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        return None


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of objects are made: each full collection would
    walk every record the world holds (loading a 1M world took 40 % longer with it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def bearer(request: Any) -> str | None:
    header = request.headers.get("Authorization") or ""
    return header[7:] if header.startswith("Bearer ") else None


_AFTER_ALL = float("inf")  # a record number after every other


@dataclass(frozen=True)
class SortedRows:
    """Rows in ascending order of (value, record number), for bisecting on the value. Only the rows
    are kept: a bisection computes the value of the twenty-odd rows it visits again, which costs
    less than an index keeping a (value, number) pair for each of millions of rows."""

    rows: RowList
    value: Callable[[Row], Any]

    @classmethod
    def of(cls, rows: RowList, value: Callable[[Row], Any]) -> SortedRows:
        """Rows (given in order of record number, as `world.select` gives them) whose `value` is not
        None, in its order, ties by record number."""
        return cls(rows.sorted_by(value), value)

    def key(self, row: Row) -> tuple[Any, int]:
        return (self.value(row), row[NUMBER])

    def span(self, low: Any = None, high: Any = None, low_open: bool = False, high_open: bool = False) -> range:
        """Positions of rows with low <= value <= high (None: unbounded; open: strict)."""
        start = 0 if low is None else bisect.bisect_left(self.rows, (low, _AFTER_ALL if low_open else -1), key=self.key)
        end = len(self.rows) if high is None else bisect.bisect_left(self.rows, (high, -1 if high_open else _AFTER_ALL), key=self.key)
        return range(start, max(start, end))
