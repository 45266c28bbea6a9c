"""Retention of raw payloads (`retention.raw_payload_days` in nps.yaml).

A raw row keeps the vendor's full record (`payload`) next to the columns the models read. Once the
row landed more than N days ago (`_loaded_at`: when we received this version), the payload is
purged (set to null), as are a response's `attributes` (extra survey values no model reads). The
modelled columns stay: deleting the rows would drop the responses from the marts at the next full
rebuild, and a person's modelled data leaves with `nps forget-customer`. Quarantined records hold
nothing but raw content, so those landed more than N days ago are deleted.

Purging twice changes nothing. Pulling the same version of a purged record again (a full refresh)
does not restore its payload (see landing.py); a newer version lands whole and starts its N days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ingestion.ingest import all_raw_tables
from ingestion.landing import ensure_raw_tables
from ingestion.raw_tables import QUARANTINE_TABLE
from ingestion.warehouse import Warehouse

PURGED_COLUMNS = ("payload", "attributes")


@dataclass(frozen=True)
class Purge:
    cutoff: datetime  # rows landed before this were purged
    payloads: dict[str, int]  # raw table -> rows whose payload was purged now
    quarantine_deleted: int

    @property
    def total(self) -> int:
        return sum(self.payloads.values()) + self.quarantine_deleted


def purge_raw_payloads(warehouse: Warehouse, days: int, now: datetime | None = None) -> Purge:
    """Purge payloads of raw rows, and delete quarantined records, landed more than `days` ago; one
    transaction."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    tables = all_raw_tables()
    ensure_raw_tables(warehouse, tables)
    payloads = {}
    with warehouse.transaction():
        for table in tables:
            columns = [column for column in PURGED_COLUMNS if column in table.all_columns]
            pending = " or ".join(f"{column} is not null" for column in columns)
            condition = f"_loaded_at < ? and ({pending})"
            payloads[table.name] = _count(warehouse, table.qualified_name, condition, cutoff)
            if payloads[table.name]:
                assignments = ", ".join(f"{column} = null" for column in columns)
                warehouse.execute(f"update {table.qualified_name} set {assignments} where {condition}", (cutoff,))
        quarantined = _count(warehouse, QUARANTINE_TABLE, "_loaded_at < ?", cutoff)
        if quarantined:
            warehouse.execute(f"delete from {QUARANTINE_TABLE} where _loaded_at < ?", (cutoff,))
    return Purge(cutoff, payloads, quarantined)


def _count(warehouse: Warehouse, table: str, condition: str, cutoff: datetime) -> int:
    return warehouse.execute(f"select count(*) from {table} where {condition}", (cutoff,))[0][0]
