"""The emulated vendors' data: a synthetic world folder held in memory, plus the changes tests make.

Every record carries `_modified_at` (when the vendor last saw it change) and `_seq` (a global change
counter, for export continuation tokens). Changes made after loading are stamped by `tick()`, which
is always later than anything in the world, so incremental loads see them whatever the world's dates.

The world folder has no CRM activity; the CRM's follow-up tasks and notes on detractors
(`activities`) are synthesised on load by `follow_up_activities` (see there).
"""
from __future__ import annotations

import csv
import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingestion.connectors.fields import timestamp

SURVEY_TOOLS = ("qualtrics", "surveymonkey", "typeform", "delighted")
KINDS = ("customers", "contacts", "deals", "responses", "activities")
KEYS = {
    "customers": "customer_id", "contacts": "contact_id", "deals": "deal_id", "responses": "response_id",
    "activities": "activity_id",
}  # fmt: skip


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
        customers = set(world.records["customers"])
        for activity in follow_up_activities(world.select("responses"), customers):
            world._put("activities", activity, _world_modified_at("activities", activity))
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
        "activities": ("completed_at", "created_at"),
    }[kind]
    moments = [timestamp(row.get(name) or None, name) for name in names]
    return max(m for m in moments if m is not None).replace(microsecond=0)


def follow_up_activities(responses: list[dict[str, Any]], customers: set[str]) -> list[dict[str, Any]]:
    """The CRM activity staff logged after detractors answered, decided by a hash of the response id
    (so every load of a world has the same activity). Of the detractors (score 0..6) whose customer
    the CRM knows: 50 % are followed up within 48 hours (2..45 h), 20 % late (50..121 h), 10 % have a
    follow-up task that is still open (created 1..24 h after), 20 % have nothing. A follow-up is a
    completed task or (another hash bit, about half of them) a logged note."""
    activities = []
    for row in responses:
        score, customer = (row.get("score") or "").strip(), row.get("customer_id") or ""
        responded = timestamp(row.get("responded_at") or None, "responded_at")
        if not score.isdigit() or int(score) > 6 or customer not in customers or responded is None:
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
        activities.append({
            "activity_id": f"A-{row['response_id']}",
            "activity_type": "note" if is_note else "task",
            "customer_id": customer,
            "response_id": row["response_id"],
            "subject": f"NPS follow-up: score {score} ({row['response_id']})",
            "status": "COMPLETED" if done_after is not None else "NOT_STARTED",
            "created_at": created.isoformat(),
            "completed_at": (responded + done_after).isoformat() if done_after is not None else "",
            "due_at": (responded + timedelta(hours=48)).isoformat(),
        })  # fmt: skip
    return activities
