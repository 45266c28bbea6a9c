"""Landing: extracted batches -> raw tables, quarantine and cursors, one transaction per batch.

A batch's cursor is committed with the data it covers, so a run that fails half-way resumes where
the landed data ends. A record seen again replaces its older version (latest `_modified_at` wins)
and an identical record changes nothing, so re-running any load is safe.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingestion.raw_tables import CURSORS_TABLE, QUARANTINE_TABLE, RAW_SCHEMA, RawTable
from ingestion.suppression import drop_erased, ensure_suppression_table
from ingestion.warehouse import Warehouse


@dataclass(frozen=True)
class QuarantineRecord:
    record_ref: str  # where it came from: "file.csv:line 7", a response id, a page URL
    reason: str
    payload: str  # the raw content, as received


@dataclass
class Batch:
    # Each record holds the table's extracted columns plus `payload` (dict) and `_modified_at`.
    records: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[QuarantineRecord] = field(default_factory=list)
    cursor: str | None = None  # the source's cursor once this batch has landed


@dataclass
class LandingCounts:
    fetched: int = 0
    landed: int = 0  # new records
    updated: int = 0  # newer versions of records already landed
    unchanged: int = 0
    quarantined: int = 0
    suppressed: int = 0  # records of erased people, dropped unstored (ingestion/suppression.py)

    def add(self, other: "LandingCounts") -> None:
        for name in ("fetched", "landed", "updated", "unchanged", "quarantined", "suppressed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def ensure_raw_tables(warehouse: Warehouse, tables: Iterable[RawTable]) -> None:
    if warehouse.dialect == "duckdb":
        # One commit for the lot: DuckDB commits each statement on its own otherwise, and on a new
        # file the ~20 commits took some 50 ms (20-40 ms saved per load, as much as landing a few
        # hundred records).
        # (On PostgreSQL, loads in parallel processes create the same tables: each statement
        # commits at once there, so that none waits on another's transaction.)
        with warehouse.transaction():
            _create_raw_tables(warehouse, tables)
    else:
        _create_raw_tables(warehouse, tables)


def _create_raw_tables(warehouse: Warehouse, tables: Iterable[RawTable]) -> None:
    warehouse.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table in tables:
        columns = ", ".join(f"{name} {sql_type}" for name, sql_type in table.all_columns.items())
        warehouse.execute(f"create table if not exists {table.qualified_name} ({columns})")
        if warehouse.dialect == "postgres":  # DuckDB joins by hash; an index there costs memory
            key = ", ".join(("_source", *table.key))
            warehouse.execute(f"create index if not exists {table.name}__key on {table.qualified_name} ({key})")
    warehouse.execute(
        f"""create table if not exists {QUARANTINE_TABLE} (
            _source varchar, object varchar, record_ref varchar, reason varchar,
            payload varchar, payload_hash varchar, _loaded_at timestamp with time zone,
            _batch_id varchar)"""
    )
    warehouse.execute(
        f"""create table if not exists {CURSORS_TABLE} (
            _source varchar, object varchar, cursor varchar, updated_at timestamp with time zone)"""
    )
    ensure_suppression_table(warehouse)


def read_cursor(warehouse: Warehouse, source: str, object_name: str) -> str | None:
    rows = warehouse.execute(
        f"select cursor from {CURSORS_TABLE} where _source = ? and object = ?", (source, object_name)
    )
    return rows[0][0] if rows else None


def land_batch(
    warehouse: Warehouse,
    table: RawTable,
    source: str,
    object_name: str,
    batch: Batch,
    batch_id: str,
    data_dir: Path | None = None,
) -> LandingCounts:
    """data_dir: where the installation's pseudonymisation key is, to recognise erased people."""
    loaded_at = datetime.now(UTC)
    counts = LandingCounts(fetched=len(batch.records) + len(batch.quarantined))
    with warehouse.transaction():
        batch, counts.suppressed = drop_erased(warehouse, table, batch, data_dir)
        if batch.records:
            _upsert_records(warehouse, table, source, batch.records, batch_id, loaded_at, counts)
        if batch.quarantined:
            counts.quarantined = _insert_quarantine(
                warehouse, source, object_name, batch.quarantined, batch_id, loaded_at
            )
        if batch.cursor is not None:
            warehouse.execute(
                f"delete from {CURSORS_TABLE} where _source = ? and object = ?", (source, object_name)
            )
            warehouse.execute(
                f"insert into {CURSORS_TABLE} values (?, ?, ?, ?)",
                (source, object_name, batch.cursor, loaded_at),
            )
    return counts


def _upsert_records(
    warehouse: Warehouse,
    table: RawTable,
    source: str,
    records: list[dict[str, Any]],
    batch_id: str,
    loaded_at: datetime,
    counts: LandingCounts,
) -> None:
    latest = _latest_versions(records, table.key)
    frame = _records_frame(latest or records, table, source, batch_id, loaded_at)
    columns = {**table.all_columns, "_seq": "bigint"}
    if latest is not None:
        counts.unchanged += len(records) - len(latest)  # the older versions of a record in the batch
        frame = _append_new(warehouse, table, source, frame, counts)
        if frame.empty:
            return
        warehouse.load_temp_table("incoming_latest", frame, columns)
    elif frame.duplicated(subset=list(table.key)).any():
        warehouse.load_temp_table("incoming", frame, columns)
        keys = ", ".join(table.key)
        # Within one batch the latest version of a record wins; the batch order breaks ties.
        warehouse.execute("drop table if exists incoming_latest")
        warehouse.execute(
            f"""create temp table incoming_latest as
                select * from (
                    select *, row_number() over (
                        partition by {keys} order by _modified_at desc nulls last, _seq desc) as _rank
                    from incoming
                ) as ranked
                where _rank = 1"""
        )
    else:  # each record once: nothing to choose between
        warehouse.load_temp_table("incoming_latest", frame, columns)
    total = _merge_incoming(warehouse, table, counts)
    counts.unchanged += len(frame) - total  # the older versions the window left out


def _records_frame(
    records: list[dict[str, Any]], table: RawTable, source: str, batch_id: str, loaded_at: datetime
) -> Any:
    import pandas as pd  # here, not on import: the connectors' configs (nps.yaml) need only Batch

    frame = pd.DataFrame.from_records(records, columns=[*table.columns, "payload", "_modified_at"])
    for column, sql_type in table.columns.items():
        if sql_type == "json":
            frame[column] = frame[column].map(_json_or_none)
    frame["payload"] = frame["payload"].map(_json_or_none)
    frame["_source"] = source
    frame["_loaded_at"] = loaded_at
    frame["_batch_id"] = batch_id
    frame["_seq"] = range(len(frame))
    return frame


def _append_new(warehouse: Warehouse, table: RawTable, source: str, frame: Any, counts: LandingCounts) -> Any:
    """Appends the records (each key once, as text) whose key has not landed from `source` before:
    nothing to compare or replace, so no temporary table and no joins (a first load, and most of a
    nightly's records). Returns the others, for the upsert. A key of several columns: all of them."""
    if len(table.key) != 1:
        return frame
    (key,) = table.key
    landed = warehouse.execute(
        f"""select {key} from {table.qualified_name}
            where _source = ? and {key} in (select unnest(cast(? as varchar[])))""",
        (source, frame[key].tolist()),
    )
    is_new = ~frame[key].isin([row[0] for row in landed])
    if is_new.any():
        warehouse.insert_frame(table.qualified_name, frame[is_new], table.all_columns)
        counts.landed += int(is_new.sum())
    return frame[~is_new]


def _merge_incoming(warehouse: Warehouse, table: RawTable, counts: LandingCounts) -> int:
    """Lands temp table `incoming_latest` (each key once): new records are inserted, newer versions
    replace the landed ones, the rest change nothing. Returns how many records it held."""
    key_match = " and ".join(f"t.{k} = i.{k}" for k in ("_source", *table.key))
    # A payload purged by retention (ingestion/retention.py) cannot be compared: only a later
    # version replaces that record, so pulling the same version again does not restore it.
    newer = (
        "coalesce(i._modified_at >= t._modified_at, true) and case when t.payload is null "
        "then coalesce(i._modified_at > t._modified_at, false) "
        "else cast(i.payload as varchar) <> cast(t.payload as varchar) end"
    )
    new, changed, total = warehouse.execute(
        f"""select
                count(*) filter (where t._source is null),
                count(*) filter (where t._source is not null and {newer}),
                count(*)
            from incoming_latest as i
            left join {table.qualified_name} as t on {key_match}"""
    )[0]
    if changed:  # statements with nothing to do still join the batch to the raw table
        warehouse.execute(
            f"delete from {table.qualified_name} as t using incoming_latest as i where {key_match} and {newer}"
        )
    if new or changed:
        columns = ", ".join(table.all_columns)
        # A left join rather than `not exists`: DuckDB plans the latter as a hash of the whole raw
        # table per batch (quadratic over a full load), the former as a hash of the batch.
        warehouse.execute(
            f"""insert into {table.qualified_name} ({columns})
                select {", ".join(f"i.{column}" for column in table.all_columns)}
                from incoming_latest as i
                left join {table.qualified_name} as t on {key_match}
                where t._source is null"""
        )
    counts.landed += new
    counts.updated += changed
    counts.unchanged += total - new - changed
    return total


def _latest_versions(records: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]] | None:
    """The latest version of each record, chosen as the SQL in `_upsert_records` chooses (latest
    `_modified_at`, none last; the later in the batch on a tie), where that is plain to see: every
    key a text and every `_modified_at` a datetime with a time zone, or none. Otherwise None, and the
    SQL chooses. A batch of overlapping pages (Delighted's) then lands without a window over it."""
    chosen: dict[str | tuple[str, ...], int] = {}
    single = key[0] if len(key) == 1 else None  # the usual key: its value alone, without a tuple
    for seq, record in enumerate(records):
        if single is not None:
            values = record.get(single)
            if type(values) is not str:
                return None
        else:
            values = tuple(record.get(column) for column in key)
            if any(type(value) is not str for value in values):
                return None
        modified = record.get("_modified_at")
        if modified is not None and not (isinstance(modified, datetime) and modified.utcoffset() is not None):
            return None
        held = chosen.get(values)
        if held is None:
            chosen[values] = seq
            continue
        before = records[held].get("_modified_at")
        if before is None or (modified is not None and modified >= before):
            chosen[values] = seq
    if len(chosen) == len(records):
        return records
    kept = set(chosen.values())
    return [record for seq, record in enumerate(records) if seq in kept]


def _insert_quarantine(
    warehouse: Warehouse,
    source: str,
    object_name: str,
    quarantined: list[QuarantineRecord],
    batch_id: str,
    loaded_at: datetime,
) -> int:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "_source": source,
            "object": object_name,
            "record_ref": [q.record_ref for q in quarantined],
            "reason": [q.reason for q in quarantined],
            "payload": [q.payload for q in quarantined],
            "payload_hash": [_hash(q.record_ref, q.payload) for q in quarantined],
            "_loaded_at": loaded_at,
            "_batch_id": batch_id,
        }
    )
    columns = {
        "_source": "varchar", "object": "varchar", "record_ref": "varchar", "reason": "varchar",
        "payload": "varchar", "payload_hash": "varchar",
        "_loaded_at": "timestamp with time zone", "_batch_id": "varchar",
    }  # fmt: skip
    warehouse.load_temp_table("incoming_quarantine", frame, columns)
    # The same bad record seen again (a file imported twice) is quarantined once.
    before = warehouse.execute(f"select count(*) from {QUARANTINE_TABLE}")[0][0]
    warehouse.execute(
        f"""insert into {QUARANTINE_TABLE}
            select distinct on (payload_hash, reason) * from incoming_quarantine as i
            where not exists (
                select 1 from {QUARANTINE_TABLE} as q
                where q._source = i._source and q.object = i.object
                  and q.payload_hash = i.payload_hash and q.reason = i.reason)"""
    )
    return warehouse.execute(f"select count(*) from {QUARANTINE_TABLE}")[0][0] - before


# One encoder for every value: json.dumps with options builds a new one per call, which costs more
# than encoding a small record.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _json_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return _encode(value)


def _c_encoder():
    """`_JSON.encode` without its per-call set-up: JSONEncoder.encode builds a new C encoder (and a
    Python closure) for every value, about a fifth of encoding a response. This is the very encoder it
    builds, with the same options, so the text is the same; a fresh `markers` dict per call keeps its
    circular-reference check as it was. None where Python has no C encoder."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None or _JSON.indent is not None:
        return None
    options = (
        _JSON.default, json.encoder.encode_basestring, None, _JSON.key_separator, _JSON.item_separator,
        _JSON.sort_keys, _JSON.skipkeys, _JSON.allow_nan,
    )  # fmt: skip

    def encode(value: Any) -> str:
        if isinstance(value, str):  # as JSONEncoder.encode does
            return json.encoder.encode_basestring(value)
        return "".join(make({}, *options)(value, 0))

    return encode


_encode = _c_encoder() or _JSON.encode


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
