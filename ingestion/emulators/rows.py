"""World records stored compactly: read-only mappings over a tuple of values.

A large world holds millions of records; as dicts they took about 3 GB per million responses. Here
the rows read from one CSV header share one `Layout` (the column names and how each value is
stored) and each row keeps only a tuple of values:
- timestamps in the world's own text form (2025-06-01T00:00:07Z) are kept as epoch seconds, one int
  per distinct moment, and read back as that text (`row.moment(name)` gives the datetime);
- `_modified_at` is epoch seconds too (read back as a datetime), usually the very int of a column;
- a key in the world's format is not kept at all: it is written again from the record's number.
Rows made from a dict (records tests add or change) keep their values as given.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from ingestion.connectors.fields import timestamp

MODIFIED, NUMBER = "_modified_at", "_number"  # the last two names of every layout
_MISSING = object()
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def stamp_seconds(text: str) -> int | None:
    """Epoch seconds of a timestamp written exactly as the world writes them (so `stamp_text` gives
    the same text back), else None."""
    if _STAMP.fullmatch(text) is None:
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp())
    except ValueError:  # not a day or time of the calendar
        return None


def stamp_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()[:19] + "Z"


class Layout:
    """The column names of a set of rows and which positions hold encoded values: `stamps` hold
    epoch seconds (ints; any other value there is the text as read), `key` (if set) holds None,
    read as `key_of(number)`."""

    __slots__ = ("names", "positions", "stamps", "key", "key_of")

    def __init__(
        self, names: tuple[str, ...], stamps: frozenset[int] = frozenset(), key: int | None = None,
        key_of: Callable[[int], str] | None = None,
    ) -> None:  # fmt: skip
        if names[-2:] != (MODIFIED, NUMBER):
            raise ValueError(f"a layout ends with {MODIFIED}, {NUMBER}; got {names}")
        self.names = names
        self.positions = {name: position for position, name in enumerate(names)}
        self.stamps = stamps
        self.key = key
        self.key_of = key_of


class Row(Mapping[str, Any]):
    """One record: read like the dict it was (`row["score"]`, `row.get("comment")`), never changed."""

    __slots__ = ("_layout", "_values")

    def __init__(self, layout: Layout, values: tuple[Any, ...]) -> None:
        self._layout = layout
        self._values = values

    @classmethod
    def of(cls, record: Mapping[str, Any], modified_at: datetime, number: int) -> Row:
        """A row holding a record's values as given."""
        names = tuple(name for name in record if name not in (MODIFIED, NUMBER))
        return cls(_plain_layout(names), (*(record[name] for name in names), modified_at, number))

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        layout = self._layout
        position = layout.positions.get(name)
        if position is None:
            return default
        value = self._values[position]
        if type(value) is int and position in layout.stamps:
            return datetime.fromtimestamp(value, UTC) if name == MODIFIED else stamp_text(value)
        if value is None and position == layout.key:
            return layout.key_of(self._values[-1])
        return value

    def moment(self, name: str) -> datetime | None:
        """The timestamp in column `name` (None when empty or missing), without reading it as text."""
        position = self._layout.positions.get(name)
        value = self._values[position] if position is not None else None
        if type(value) is int and position in self._layout.stamps:
            return datetime.fromtimestamp(value, UTC)
        return timestamp(value or None, name)

    def __contains__(self, name: object) -> bool:
        return name in self._layout.positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._layout.names)

    def __len__(self) -> int:
        return len(self._layout.names)

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"


@cache
def _plain_layout(names: tuple[str, ...]) -> Layout:
    """One layout for every row made from a dict with these names (a world changed by many updates
    has few shapes of record)."""
    return Layout((*names, MODIFIED, NUMBER))
