"""The erased-identifier list: keyed hashes of what identified each erased person (customer number,
CRM account ids, e-mail addresses). Landing drops a record that matches it before it lands, so a
later pull from the source (a full refresh, a backfill) does not bring the person back; the count
is reported as `suppressed`, the content is stored nowhere (not in quarantine either).

The list holds no personal data: without the pseudonymisation key ($NPS_PSEUDONYM_KEY, else the
installation's data/pseudonym.key) a hash cannot be tied to anyone. Every load must use the key the
list was written with; a missing or changed key is an error, never a list that silently matches
nothing.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingestion.personal_identifiers import KINDS, identifier_hash, key_check, normalised, person_columns
from ingestion.pseudonyms import PSEUDONYM_KEY_ENV, pseudonym_key
from ingestion.raw_tables import RAW_SCHEMA, RawTable
from ingestion.warehouse import Warehouse

if TYPE_CHECKING:  # landing imports this module
    from ingestion.landing import Batch

SUPPRESSION_TABLE = f"{RAW_SCHEMA}.erased_identifiers"
# Words of a quarantined payload: its values split at spaces, quotes and separators.
_WORD = re.compile(r"[^\s,;\"'|]+")


class ErasureKeyError(Exception):
    """No pseudonymisation key, or not the one the erased-identifier list was written with."""


def ensure_suppression_table(warehouse: Warehouse) -> None:
    warehouse.execute(
        f"""create table if not exists {SUPPRESSION_TABLE} (
            identifier_hash varchar, key_check varchar, added_at timestamp with time zone)"""
    )


def erasure_key(data_dir: Path | None) -> bytes:
    """$NPS_PSEUDONYM_KEY, else the installation's key in `data_dir` (made on first use)."""
    if data_dir is not None:
        return pseudonym_key(data_dir)
    key = os.environ.get(PSEUDONYM_KEY_ENV)
    if not key:
        raise ErasureKeyError(
            f"erased people are recognised by keyed hashes: set ${PSEUDONYM_KEY_ENV} (the key used at the "
            "erasures), or load through nps.yaml so the installation's key file is found"
        )
    return key.encode()


@dataclasses.dataclass(frozen=True)
class ErasedIdentifiers:
    key: bytes
    hashes: frozenset[str]

    def matches(self, kind: str, value: Any) -> bool:
        text = normalised(kind, value)
        return text is not None and identifier_hash(self.key, kind, text) in self.hashes

    def matches_record(self, record: dict[str, Any], matched: dict[str, tuple[str, ...]]) -> bool:
        return any(self.matches(kind, record.get(column)) for column, kinds in matched.items() for kind in kinds)

    def matches_text(self, payload: str) -> bool:
        """A quarantined payload (raw text) holding any erased identifier as a whole value."""
        return any(self.matches(kind, token) for token in _tokens(payload) for kind in KINDS)


def load_erased(warehouse: Warehouse, data_dir: Path | None) -> ErasedIdentifiers | None:
    """The list, or None when nobody was erased. Raises ErasureKeyError without the right key."""
    rows = warehouse.execute(f"select identifier_hash, key_check from {SUPPRESSION_TABLE}")
    if not rows:
        return None
    key = erasure_key(data_dir)
    if {check for _, check in rows} != {key_check(key)}:
        raise ErasureKeyError(
            f"the pseudonymisation key (${PSEUDONYM_KEY_ENV}, else data/pseudonym.key) is not the one "
            f"{SUPPRESSION_TABLE} was written with, so erased people cannot be recognised and would land "
            "again; restore the key used at the erasures"
        )
    return ErasedIdentifiers(key, frozenset(h for h, _ in rows))


def add_erased(warehouse: Warehouse, key: bytes, identifiers: Iterable[tuple[str, Any]]) -> set[str]:
    """Add (kind, value) identifiers to the list; returns the hashes that were new."""
    hashes = {
        identifier_hash(key, kind, text)
        for kind, value in identifiers
        if (text := normalised(kind, value)) is not None
    }
    known = {row[0] for row in warehouse.execute(f"select identifier_hash from {SUPPRESSION_TABLE}")}
    new = hashes - known
    added_at, check = datetime.now(UTC), key_check(key)
    for identifier in sorted(new):
        warehouse.execute(f"insert into {SUPPRESSION_TABLE} values (?, ?, ?)", (identifier, check, added_at))
    return new


def drop_erased(warehouse: Warehouse, table: RawTable, batch: Batch, data_dir: Path | None = None) -> tuple[Batch, int]:
    """(`batch` without the records and quarantined payloads of erased people, how many were
    dropped). What a dropped record carries that the erasure would have collected (an account's id,
    a contact's address) joins the list, so the records that hang off it are dropped as well."""
    erased = load_erased(warehouse, data_dir)
    if erased is None:
        return batch, 0
    columns = person_columns(table.name)
    records = batch.records
    while columns.matched:
        kept, collected = [], []
        for record in records:
            if erased.matches_record(record, columns.matched):
                collected += [(kind, record.get(column)) for column, kind in columns.collected.items()]
            else:
                kept.append(record)
        new = add_erased(warehouse, erased.key, collected) if collected else set()
        done = len(kept) == len(records) or not new  # another pass only if the list grew
        records = kept
        if done:
            break
        erased = dataclasses.replace(erased, hashes=erased.hashes | new)
    quarantined = [q for q in batch.quarantined if not erased.matches_text(q.payload)]
    dropped = len(batch.records) - len(records) + len(batch.quarantined) - len(quarantined)
    return dataclasses.replace(batch, records=records, quarantined=quarantined), dropped


def _tokens(payload: str) -> set[str]:
    """Each value of a JSON payload, and each word in it (an address inside a longer text)."""
    try:
        values = set(_json_values(json.loads(payload)))
    except (ValueError, RecursionError):
        values = {payload}
    return values | {word for value in values for word in _WORD.findall(value)}


def _json_values(value: Any):
    if isinstance(value, dict):
        for item in value.values():
            yield from _json_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_values(item)
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        yield str(value)
