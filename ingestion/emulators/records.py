"""The records of one kind, stored by column, found by key or by record number.

Records are only ever added: a changed record is stored again at a new position and the number
index (record numbers in order, with the position of each) points there, so a `Row` someone holds
keeps reading what it read before. Per record this keeps a pointer for each text column (the
strings themselves shared where they repeat), 8 bytes for each timestamp, the number and the
modification time, and 16 bytes of index; a key in the world's format is not kept.
"""
from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from ingestion.emulators.rows import ABSENT, MODIFIED, NUMBER, Row, RowList, StampColumn

NEVER = -(2**62)  # seconds before every moment a record holds


class Records(Mapping[str, Row]):
    """Rows of one kind by key; iteration follows the record numbers. `number_of(key)` is the number
    a record with that key has (None: none), `key_of(number)` the key in the world's format of a
    number below `other_numbers_from` (the keys of the numbers from there on are kept)."""

    def __init__(
        self, key: str, number_of: Callable[[str], int | None], key_of: Callable[[int], str],
        other_numbers_from: int, modified_from: Sequence[str],
    ) -> None:  # fmt: skip
        self.key = key
        self.number_of = number_of
        self.modified_from = modified_from
        self.numbers = array("q")  # by position
        self.modified = array("q")  # by position, epoch seconds
        self.columns: dict[str, Any] = {
            key: _KeyColumn(self.numbers, key_of, other_numbers_from), MODIFIED: _ModifiedColumn(self.modified),
            NUMBER: self.numbers,
        }  # fmt: skip
        self._numbers_in_order = array("q")  # the numbers of the records, ascending
        self._positions = array("q")  # where each of them is stored

    def load(self, chunks: Iterator[tuple[dict[str, Sequence[Any]], Sequence[int]]]) -> int:
        """Add records column by column: chunks of ({column: values}, numbers). Each is modified at
        the latest of its `modified_from` values; of records sharing a number the last one stays.
        Returns the latest modification (epoch seconds)."""
        latest = NEVER
        for values, numbers in chunks:
            start = len(self.numbers)
            self._extend(values, numbers)
            stop = len(self.numbers)
            moments = [self.columns[name].seconds_or(start, stop, NEVER, name) for name in self.modified_from if name in values]
            modified = list(map(max, *moments)) if len(moments) > 1 else moments[0] if moments else [NEVER] * (stop - start)
            if NEVER in modified:
                key = self.columns[self.key][start + modified.index(NEVER)]
                raise ValueError(f"{self.key} {key}: no moment in any of {', '.join(self.modified_from)}")
            self.modified.extend(modified)
            latest = max(latest, max(modified))
        self._index()
        return latest

    def put(self, record: Mapping[str, Any], number: int, modified_at: datetime) -> Row:
        """Store a record (as given) and make it the one with its number."""
        position = len(self.numbers)
        self._extend({name: [value] for name, value in record.items() if name not in (MODIFIED, NUMBER)}, [number])
        self.modified.append(int(modified_at.timestamp()))
        found = bisect.bisect_left(self._numbers_in_order, number)
        if found < len(self._numbers_in_order) and self._numbers_in_order[found] == number:
            self._positions[found] = position
        else:
            self._numbers_in_order.insert(found, number)
            self._positions.insert(found, position)
        return Row(self, position)

    def by_number(self, number: int) -> Row | None:
        found = bisect.bisect_left(self._numbers_in_order, number)
        if found < len(self._numbers_in_order) and self._numbers_in_order[found] == number:
            return Row(self, self._positions[found])
        return None

    def rows(self) -> RowList:
        """Every record in order of number."""
        return RowList(self, array("q", self._positions))

    def __getitem__(self, key: str) -> Row:
        number = self.number_of(key)
        row = self.by_number(number) if number is not None else None
        if row is None:
            raise KeyError(key)
        return row

    def __iter__(self) -> Iterator[str]:
        return (row[self.key] for row in self.rows())

    def __len__(self) -> int:
        return len(self._positions)

    def _index(self) -> None:
        """The number index of every position stored (of positions sharing a number, the last)."""
        numbers = self.numbers
        if all(a < b for a, b in zip(numbers, islice(numbers, 1, None))):  # as the world writes them
            self._numbers_in_order, self._positions = array("q", numbers), array("q", range(len(numbers)))
            return
        order = sorted(range(len(numbers)), key=numbers.__getitem__)  # stable: later stays later
        keep = [p for i, p in enumerate(order) if i + 1 == len(order) or numbers[order[i + 1]] != numbers[p]]
        self._numbers_in_order = array("q", (numbers[p] for p in keep))
        self._positions = array("q", keep)

    def _extend(self, values: dict[str, Sequence[Any]], numbers: Sequence[int]) -> None:
        count, before = len(numbers), len(self.numbers)
        for name in values.keys() - self.columns.keys():
            self._add_column(name, before)
        self.numbers.extend(numbers)
        self.columns[self.key].extend(values[self.key], before)
        for name, column in self.columns.items():
            if name in values and name != self.key:
                column.extend(values[name])
            elif name not in (self.key, MODIFIED, NUMBER):
                column.extend([ABSENT] * count)

    def _add_column(self, name: str, absent: int) -> None:
        """A column the records so far do not have, placed before _modified_at and _number."""
        column = StampColumn(absent) if name.endswith("_at") else [ABSENT] * absent
        columns = {k: v for k, v in self.columns.items() if k not in (MODIFIED, NUMBER)}
        self.columns = {**columns, name: column, MODIFIED: self.columns[MODIFIED], NUMBER: self.numbers}


class _KeyColumn:
    """Keys: written again from the number, only keys in another format kept (by position)."""

    def __init__(self, numbers: array, key_of: Callable[[int], str], other_numbers_from: int) -> None:
        self.numbers, self.key_of, self.other_numbers_from = numbers, key_of, other_numbers_from
        self.others: dict[int, str] = {}

    def extend(self, keys: Sequence[str], start: int) -> None:
        numbers = self.numbers
        self.others.update((start + i, key) for i, key in enumerate(keys) if numbers[start + i] >= self.other_numbers_from)

    def __getitem__(self, position: int) -> str:
        number = self.numbers[position]
        return self.others[position] if number >= self.other_numbers_from else self.key_of(number)


class _ModifiedColumn:
    def __init__(self, seconds: array) -> None:
        self.seconds = seconds

    def __getitem__(self, position: int) -> datetime:
        return datetime.fromtimestamp(self.seconds[position], UTC)
