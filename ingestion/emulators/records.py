"""The records of one kind, in order of record number, found by key or by number.

A record's number follows from its key (see world.py), so the rows are kept in a list sorted by
number beside an array of the numbers (16 bytes a record) instead of a dict by key, which would
also have to keep every key as a string.
"""
from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter

from ingestion.emulators.rows import NUMBER, Row


class Records(Mapping[str, Row]):
    """Rows by key; iteration follows the record numbers. `number_of(key)` is the number a record
    with that key has or would have (None: none it could have); `key_of(row)` the row's key."""

    def __init__(self, number_of: Callable[[str], int | None], key_of: Callable[[Row], str]) -> None:
        self.number_of = number_of
        self.key_of = key_of
        self._numbers = array("q")
        self._rows: list[Row] = []

    def load(self, rows: Iterable[Row]) -> None:
        """Add many rows at once (sorted once); of rows sharing a number, the last one read stays."""
        self._rows.extend(rows)
        self._rows.sort(key=itemgetter(NUMBER))  # stable: equal numbers stay in reading order
        numbers = array("q", (row[NUMBER] for row in self._rows))
        repeated = [p for p in range(len(numbers) - 1) if numbers[p] == numbers[p + 1]]
        for position in reversed(repeated):
            del self._rows[position], numbers[position]
        self._numbers = numbers

    def put(self, row: Row) -> None:
        """Add a row, or replace the one with its number."""
        number = row[NUMBER]
        position = bisect.bisect_left(self._numbers, number)
        if position < len(self._numbers) and self._numbers[position] == number:
            self._rows[position] = row
        else:
            self._numbers.insert(position, number)
            self._rows.insert(position, row)

    def by_number(self, number: int) -> Row | None:
        position = bisect.bisect_left(self._numbers, number)
        found = position < len(self._numbers) and self._numbers[position] == number
        return self._rows[position] if found else None

    def rows(self) -> list[Row]:
        """Every row in order of number (a new list)."""
        return list(self._rows)

    def __getitem__(self, key: str) -> Row:
        number = self.number_of(key)
        row = self.by_number(number) if number is not None else None
        if row is None:
            raise KeyError(key)
        return row

    def __iter__(self) -> Iterator[str]:
        return (self.key_of(row) for row in self._rows)

    def __len__(self) -> int:
        return len(self._rows)
