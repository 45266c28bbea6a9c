"""The emulated vendors' data: a synthetic world folder held in memory, plus the changes tests make.

Every record carries `_modified_at` (when the vendor last saw it change) and `_seq` (a global change
counter, for export continuation tokens). Changes made after loading are stamped by `tick()`, which
is always later than anything in the world, so incremental loads see them whatever the world's dates.
"""
from __future__ import annotations

import csv
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingestion.connectors.fields import timestamp

SURVEY_TOOLS = ("qualtrics", "surveymonkey", "typeform", "delighted")
KINDS = ("customers", "contacts", "deals", "responses")
KEYS = {"customers": "customer_id", "contacts": "contact_id", "deals": "deal_id", "responses": "response_id"}


@dataclass
class EmulatedWorld:
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    # Vendor ids are handed out once per record, in load order: stable across changes.
    numbers: dict[str, dict[str, int]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    _keys: dict[str, dict[int, str]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    seq: int = 0
    clock: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def load(cls, folder: Path) -> EmulatedWorld:
        world = cls()
        files = {
            "customers": [folder / "crm" / "customers.csv"],
            "contacts": [folder / "crm" / "contacts.csv"],
            "deals": [folder / "crm" / "deals.csv"],
            "responses": sorted((folder / "responses").glob("responses_*.csv")),
        }
        for kind, paths in files.items():
            for path in paths:
                if not path.exists():
                    continue
                with path.open(newline="", encoding="utf-8") as handle:
                    for row in csv.DictReader(handle):
                        world._put(kind, row, _world_modified_at(kind, row))
        return world

    def upsert(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """Add a record or change one (matched on its key); it is stamped as modified now."""
        with self.lock:
            current = self.records[kind].get(str(record[KEYS[kind]]), {})
            merged = {**{k: v for k, v in current.items() if not k.startswith("_")}, **record}
            return self._put(kind, merged, self.tick())

    def tick(self) -> datetime:
        """The vendor's clock: now, but never before the last change (whole seconds, strictly later)."""
        with self.lock:
            now = datetime.now(UTC).replace(microsecond=0)
            self.clock = max(now, self.clock + timedelta(seconds=1))
            return self.clock

    def by_number(self, kind: str, number: int) -> dict[str, Any] | None:
        with self.lock:
            key = self._keys[kind].get(number)
            return self.records[kind].get(key) if key is not None else None

    def select(self, kind: str, **equal: str) -> list[dict[str, Any]]:
        """Records of a kind in load order, optionally filtered on exact column values."""
        with self.lock:
            rows = sorted(self.records[kind].values(), key=lambda r: r["_number"])
        return [r for r in rows if all(r.get(k) == v for k, v in equal.items())]

    def _put(self, kind: str, row: dict[str, Any], modified_at: datetime) -> dict[str, Any]:
        key = str(row[KEYS[kind]])
        numbers = self.numbers[kind]
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            self._keys[kind][numbers[key]] = key
        self.seq += 1
        stored = {**row, "_modified_at": modified_at, "_seq": self.seq, "_number": numbers[key]}
        self.records[kind][key] = stored
        self.clock = max(self.clock, modified_at.replace(microsecond=0))
        return stored


def _world_modified_at(kind: str, row: dict[str, Any]) -> datetime:
    """When a world record last changed: its updated_at, else the latest of its own dates."""
    names = {
        "customers": ("created_at", "churned_at"),
        "contacts": ("updated_at", "created_at"),
        "deals": ("updated_at", "closed_at", "created_at"),
        "responses": ("responded_at",),
    }[kind]
    moments = [timestamp(row.get(name) or None, name) for name in names]
    return max(m for m in moments if m is not None).replace(microsecond=0)
