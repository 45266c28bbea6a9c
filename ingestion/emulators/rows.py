"""World records read as rows: read-only mappings over one position of a kind's columns.

A large world holds millions of records; as dicts they took about 3 GB per million responses. The
records of a kind are kept by column instead (records.py), and a `Row` is a view of one position:
it reads like the dict it was (`row["score"]`, `row.get("comment")`, `dict(row)`) and never changes
(a changed record is stored again at a new position). `RowList` is a list of such positions.

Columns keep what repeats once: text columns a pointer per record to one shared string, timestamp
columns (`StampColumn`) epoch seconds in an array, record numbers and modification times too, and
a key in the world's own format nothing at all (it is written again from the number).
"""
from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

from ingestion.connectors.fields import timestamp

if TYPE_CHECKING:
    from ingestion.emulators.records import Records

MODIFIED, NUMBER = "_modified_at", "_number"
ABSENT = object()  # the value of a column at a record that does not have it
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_OTHER, _EMPTY, _ABSENT = -(2**63), -(2**63) + 1, -(2**63) + 2  # seconds no stamp has


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


class StampColumn:
    """A timestamp column: epoch seconds in an array, 8 bytes a record. A value not in the world's
    own form (other text, anything a test stored) is kept as it is, beside the array."""

    __slots__ = ("seconds", "others")

    def __init__(self, absent: int = 0) -> None:
        self.seconds = array("q", [_ABSENT]) * absent
        self.others: dict[int, Any] = {}

    def extend(self, values: Sequence[Any]) -> None:
        start = len(self.seconds)
        self.seconds.extend(map(self._encoded, values))
        self.others.update((start + i, values[i]) for i in range(len(values)) if self.seconds[start + i] == _OTHER)

    def __getitem__(self, position: int) -> Any:
        seconds = self.seconds[position]
        if seconds > _ABSENT:
            return stamp_text(seconds)
        if seconds == _OTHER:
            return self.others[position]
        return "" if seconds == _EMPTY else ABSENT

    def moment(self, position: int, name: str) -> datetime | None:
        seconds = self.seconds[position]
        if seconds > _ABSENT:
            return datetime.fromtimestamp(seconds, UTC)
        return timestamp(self.others[position] or None, name) if seconds == _OTHER else None

    def seconds_or(self, start: int, stop: int, never: int, name: str) -> list[int]:
        """Epoch seconds of the values at start..stop (within their second), `never` where empty."""
        return [
            s if s > _ABSENT else never if s != _OTHER else _within_second(self.others[start + i], name, never)
            for i, s in enumerate(self.seconds[start:stop])
        ]  # fmt: skip

    @staticmethod
    def _encoded(value: Any) -> int:
        if value == "":
            return _EMPTY
        seconds = stamp_seconds(value) if type(value) is str else None
        return _OTHER if seconds is None else seconds


def _within_second(value: Any, name: str, never: int) -> int:
    moment = timestamp(value or None, name)
    return never if moment is None else int(moment.replace(microsecond=0).timestamp())


class Row(Mapping[str, Any]):
    """One record of a kind: read like the dict it was, never changed."""

    __slots__ = ("_records", "_position")

    def __init__(self, records: Records, position: int) -> None:
        self._records = records
        self._position = position

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, ABSENT)
        if value is ABSENT:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        column = self._records.columns.get(name)
        if column is None:
            return default
        value = column[self._position]
        return default if value is ABSENT else value

    def moment(self, name: str) -> datetime | None:
        """The timestamp in column `name` (None when empty or missing), without reading it as text."""
        column = self._records.columns.get(name)
        if isinstance(column, StampColumn):
            return column.moment(self._position, name)
        return timestamp(self.get(name) or None, name)

    def __contains__(self, name: object) -> bool:
        return self.get(name, ABSENT) is not ABSENT  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        return (name for name, column in self._records.columns.items() if column[self._position] is not ABSENT)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"


class RowList(Sequence[Row]):
    """Rows of one kind at the given positions, made as they are read (8 bytes a row held)."""

    __slots__ = ("_records", "positions")

    def __init__(self, records: Records, positions: array) -> None:
        self._records = records
        self.positions = positions

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [Row(self._records, p) for p in self.positions[index]]
        return Row(self._records, self.positions[index])

    def __len__(self) -> int:
        return len(self.positions)

    def __iter__(self) -> Iterator[Row]:
        records = self._records
        return (Row(records, p) for p in self.positions)

    def where(self, **equal: Any) -> RowList:
        """The rows holding these values (a row without the column holds None), in the same order."""
        columns = [(self._records.columns.get(name), value) for name, value in equal.items()]
        return RowList(self._records, array("q", (p for p in self.positions if all(_at(c, p) == v for c, v in columns))))

    def sorted_by(self, value: Callable[[Row], Any]) -> RowList:
        """The rows whose `value` is not None, in its order; a stable sort, so ties stay in this order."""
        records, positions = self._records, self.positions
        values = [value(Row(records, p)) for p in positions]
        order = sorted((i for i, v in enumerate(values) if v is not None), key=values.__getitem__)
        return RowList(records, array("q", (positions[i] for i in order)))


def _at(column: Any, position: int) -> Any:
    value = column[position] if column is not None else None
    return None if value is ABSENT else value
