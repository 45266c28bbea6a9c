"""The emulated vendors' data: a synthetic world folder held in memory, plus the changes tests make.

Every record carries `_modified_at` (when the vendor last saw it change) and `_number`, from which
each vendor derives its ids. Changes made after loading are stamped by `tick()`, which is always
later than anything in the world, so incremental loads see them whatever the world's dates.

A record's number is a function of its key alone (R2026100000001 -> 2026100000001, C00000002 -> 2),
never of what else the world holds: the world one day longer drops its first day and adds a day,
and every record in both keeps its Delighted id, Typeform token, HubSpot id, Salesforce Id, ... as
a real vendor would. Keys not in the world's own format (records tests add) are numbered in order
of arrival after every possible world number, so they sort after the world's records.

Vendors serve pages from indexes built with `cached()`, kept until a record of the kind changes, so a
page costs a lookup, not a pass over the world.

Records are held by column (records.py) and read as rows (rows.py): a world of ten million responses
has to fit in memory beside the refresh reading it.

The world folder has no CRM activity; the CRM's follow-up tasks and notes on detractors
(`activities`) are synthesised on load by `follow_up_activities` (see there), as they stand at the
end of the world's last day: nothing the world's staff will only do later is there yet.
"""
from __future__ import annotations

import csv
import hashlib
import json
import threading
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from ingestion.emulators.common import iso_z, paused_gc
from ingestion.emulators.records import NEVER, Records
from ingestion.emulators.rows import NUMBER, Row, RowList

SURVEY_TOOLS = ("qualtrics", "surveymonkey", "typeform", "delighted")
KINDS = ("customers", "contacts", "deals", "responses", "activities")
KEYS = {
    "customers": "customer_id", "contacts": "contact_id", "deals": "deal_id", "responses": "response_id",
    "activities": "activity_id",
}  # fmt: skip
# How the synthetic world writes each kind's key: prefix and zero-padded width of the record number.
KEY_FORMATS = {"customers": ("C", 8), "contacts": ("P", 8), "deals": ("D", 1), "responses": ("R", 1), "activities": ("A-R", 1)}
# Numbers of keys in any other format start here (world numbers are yyyymm * 10**7 + n at most).
OTHER_NUMBERS_FROM = 10**15
# A world record last changed at the latest of these (its updated_at, else its own dates).
MODIFIED_FROM = {
    "customers": ("created_at", "churned_at"),
    "contacts": ("updated_at", "created_at"),
    "deals": ("updated_at", "closed_at", "created_at"),
    "responses": ("responded_at",),
    "activities": ("completed_at", "created_at"),
}  # fmt: skip
# Unique to each record: sharing its values would only grow the table of values while loading.
UNSHARED = {"interaction_id"}

T = TypeVar("T")
Chunk = tuple[dict[str, Sequence[Any]], list[int]]  # records by column, and their numbers


def world_number(kind: str, key: str) -> int | None:
    """The number in a key written in the world's format for its kind, else None. Only a key that
    reads back exactly counts (C0000002 is not C00000002), so two keys never share a number."""
    prefix, width = KEY_FORMATS[kind]
    digits = key[len(prefix):]
    if not key.startswith(prefix) or not (digits.isascii() and digits.isdigit()):
        return None
    # It reads back exactly when it is zero-padded to the width and no further (world_key, faster).
    reads_back = len(digits) == width or (len(digits) > width and digits[0] != "0")
    number = int(digits)
    return number if number < OTHER_NUMBERS_FROM and reads_back else None


def world_key(kind: str, number: int) -> str:
    prefix, width = KEY_FORMATS[kind]
    return f"{prefix}{number:0{width}d}"


@dataclass
class EmulatedWorld:
    records: dict[str, Records] = field(init=False)
    clock: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _other_numbers: dict[str, dict[str, int]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    _versions: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind in KINDS})
    _cache: dict[Hashable, tuple[int, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.records = {
            kind: Records(KEYS[kind], partial(self._known_number, kind), partial(world_key, kind), OTHER_NUMBERS_FROM, MODIFIED_FROM[kind])
            for kind in KINDS
        }  # fmt: skip

    @classmethod
    def load(cls, folder: Path) -> EmulatedWorld:
        world = cls()
        files = {
            "customers": [folder / "crm" / "customers.csv"],
            "contacts": [folder / "crm" / "contacts.csv"],
            "deals": [folder / "crm" / "deals.csv"],
            "responses": sorted((folder / "responses").glob("responses_*.csv")),
        }
        # Values repeat a lot (products, customer ids, e-mails): one copy of each saves memory.
        shared: dict[str, str] = {}
        with paused_gc():
            for kind, paths in files.items():
                world._load(kind, (chunk for path in paths if path.exists() for chunk in world._read(kind, path, shared)))
            activities = follow_up_activities(world.select("responses"), world.records["customers"], _world_end(folder))
            if activities:
                lines = [list(activity.values()) for activity in activities]
                world._load("activities", iter([world._columns("activities", list(activities[0]), lines, shared)]))
        return world

    def upsert(self, kind: str, record: dict[str, Any]) -> Row:
        """Add a record or change one (matched on its key); it is stamped as modified now."""
        with self.lock:
            key = str(record[KEYS[kind]])
            current = self.records[kind].get(key, {})
            merged = {**{k: v for k, v in current.items() if not k.startswith("_")}, **record}
            row = self.records[kind].put(merged, self._number(kind, key), self.tick())
            self._versions[kind] += 1
            return row

    def tick(self) -> datetime:
        """The vendor's clock: now, but never before the last change (whole seconds, strictly later)."""
        with self.lock:
            now = datetime.now(UTC).replace(microsecond=0)
            self.clock = max(now, self.clock + timedelta(seconds=1))
            return self.clock

    def number(self, kind: str, key: str) -> int | None:
        """The number of the record with this key, None when the world has no such record."""
        with self.lock:
            stored = self.records[kind].get(key)
            return stored[NUMBER] if stored is not None else None

    def by_number(self, kind: str, number: int) -> Row | None:
        with self.lock:
            return self.records[kind].by_number(number)

    def select(self, kind: str, **equal: str) -> RowList:
        """Records of a kind by number, optionally filtered on exact column values. Shared until the
        kind changes."""
        return self.cached(kind, ("select", *sorted(equal.items())), lambda: self.records[kind].rows().where(**equal))

    def cached(self, kind: str, name: Hashable, build: Callable[[], T]) -> T:
        """`build()` (an index over records of `kind`), built again only after such a record changed."""
        with self.lock:
            version = self._versions[kind]
            found = self._cache.get((kind, name))
            if found is None or found[0] != version:
                found = (version, build())
                self._cache[(kind, name)] = found
            return found[1]

    def _read(self, kind: str, path: Path, shared: dict[str, str]) -> Iterator[Chunk]:
        """A world CSV file's records, some ten thousand at a time."""
        with path.open(newline="", encoding="utf-8") as handle:
            lines = csv.reader(handle)
            header = next(lines, None)
            if header is None:
                return

            def checked() -> Iterator[list[str]]:
                for line in lines:
                    if len(line) != len(header):
                        raise ValueError(f"{path}, line {lines.line_num}: expected {len(header)} values ({','.join(header)}), found {len(line)}")
                    yield line

            checked_lines = checked()
            while chunk := list(islice(checked_lines, 16_384)):
                yield self._columns(kind, header, chunk, shared)

    def _columns(self, kind: str, header: list[str], lines: list[list[str]], shared: dict[str, str]) -> Chunk:
        """Lines of text as columns (a shared copy of each repeated text) and the records' numbers."""
        columns = dict(zip(header, zip(*lines)))
        numbers = [self._number(kind, key) for key in columns[KEYS[kind]]]
        for name, texts in columns.items():
            if name != KEYS[kind] and not name.endswith("_at") and name not in UNSHARED:
                columns[name] = [shared.setdefault(text, text) for text in texts]
        return columns, numbers

    def _load(self, kind: str, chunks: Iterator[Chunk]) -> None:
        latest = self.records[kind].load(chunks)
        if latest > NEVER:
            self.clock = max(self.clock, datetime.fromtimestamp(latest, UTC))
        self._versions[kind] += 1

    def _number(self, kind: str, key: str) -> int:
        """The number of a key; keys not in the world's format are numbered in order of arrival."""
        number = world_number(kind, key)
        if number is not None:
            return number
        others = self._other_numbers[kind]
        return others.setdefault(key, OTHER_NUMBERS_FROM + len(others))

    def _known_number(self, kind: str, key: str) -> int | None:
        number = world_number(kind, key)
        return number if number is not None else self._other_numbers[kind].get(key)


def _world_end(folder: Path) -> datetime | None:
    """The end of the world's last day (from truth.json), None for a folder without one."""
    path = folder / "truth.json"
    if not path.exists():
        return None
    last_day = date.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["window"]["end"])
    return datetime.combine(last_day + timedelta(days=1), time(), UTC)


def follow_up_activities(
    responses: Sequence[Row], customers: Collection[str], as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """The CRM activity staff logged after detractors answered, decided by a hash of the response id
    (so every load of a world has the same activity). Of the detractors (score 0..6) whose customer
    the CRM knows: 50 % are followed up within 48 hours (2..45 h), 20 % late (50..121 h), 10 % have a
    follow-up task that is still open (created 1..24 h after), 20 % have nothing. A follow-up is a
    completed task or (another hash bit, about half of them) a logged note.
    With `as_of`, as the CRM holds them then: what is logged later is missing, a task completed later
    still open (the same world one day longer completes it, as a change after the day before)."""
    activities = []
    for row in responses:
        score, customer = (row.get("score") or "").strip(), row.get("customer_id") or ""
        if not score.isdigit() or int(score) > 6 or customer not in customers:
            continue
        responded = row.moment("responded_at")
        if responded is None:
            continue
        draw = int(hashlib.sha256(row["response_id"].encode()).hexdigest()[:12], 16)
        bucket, hours = draw % 100, (draw // 100) % 1000
        if bucket >= 80:
            continue
        if bucket < 50:
            done_after = timedelta(hours=2 + hours % 44)
        elif bucket < 70:
            done_after = timedelta(hours=50 + hours % 72)
        else:
            done_after = None
        is_note = done_after is not None and (draw // 100_000) % 2 == 1
        if is_note:  # a note is logged when the customer was reached
            created = responded + done_after
        else:  # a task is created first and completed (if ever) later
            created = responded + timedelta(hours=1 + hours % 24)
            if done_after is not None:
                created = min(created, responded + done_after)
        if as_of is not None and created >= as_of:
            continue  # not logged yet
        if as_of is not None and done_after is not None and responded + done_after >= as_of:
            done_after = None  # a task not completed yet
        activities.append({
            "activity_id": f"A-{row['response_id']}",
            "activity_type": "note" if is_note else "task",
            "customer_id": customer,
            "response_id": row["response_id"],
            "subject": f"NPS follow-up: score {score} ({row['response_id']})",
            "status": "COMPLETED" if done_after is not None else "NOT_STARTED",
            "created_at": iso_z(created),
            "completed_at": iso_z(responded + done_after) if done_after is not None else "",
            "due_at": iso_z(responded + timedelta(hours=48)),
        })  # fmt: skip
    return activities
