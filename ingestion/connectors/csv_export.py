"""CSV exports in the canonical format (see README): one row per survey response.

A row that cannot be counted (missing or invalid score, no response_id, bad date or survey type) is
quarantined with its reason and raw content. Files already loaded unchanged are skipped through the
cursor (file path -> SHA-256); loading one again anyway changes nothing, as landing upserts. A
backfill reads every file again and lands the rows answered within its window.
"""
from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ingestion.connectors.base import ConfigPath, Connector, SourceConfig, SurveyType
from ingestion.landing import Batch, QuarantineRecord
from ingestion.raw_tables import responses_table
from ingestion.window import Window

CANONICAL_COLUMNS = (
    "response_id", "responded_at", "score", "comment", "customer_id", "customer_email",
    "product", "process", "employee_id", "survey_type", "channel", "language",
)  # fmt: skip
REQUIRED_COLUMNS = ("response_id", "responded_at", "score")
SURVEY_TYPES = ("transactional", "relational")
BATCH_ROWS = 50_000
_SCORE = re.compile(r"\s*(10|[0-9])\s*")
# Python's csv refuses fields over 128 KiB, which would fail the whole file on one long comment.
MAX_FIELD_CHARACTERS = 16 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARACTERS))


class CsvSourceConfig(SourceConfig):
    type: Literal["csv"] = "csv"
    path: ConfigPath  # a glob, e.g. exports/*.csv
    survey_type: SurveyType = "transactional"  # for rows without a survey_type


class RowError(ValueError):
    """A row that cannot be counted; the message is the quarantine reason."""


def parse_row(row: dict[str, str | None], default_survey_type: str) -> dict[str, Any]:
    """One canonical CSV row -> a response record, or RowError saying what is wrong."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k is not None}
    response_id = values.get("response_id")
    if not response_id:
        raise RowError("missing response_id")
    raw_score = values.get("score") or ""
    if not raw_score:
        raise RowError("missing score")
    if not _SCORE.fullmatch(raw_score):
        raise RowError(f"invalid score {raw_score!r}: expected an integer 0..10")
    survey_type = values.get("survey_type") or default_survey_type
    if survey_type not in SURVEY_TYPES:
        raise RowError(f"invalid survey_type {survey_type!r}: expected one of {', '.join(SURVEY_TYPES)}")
    record = {column: values.get(column) or None for column in CANONICAL_COLUMNS}
    record.update(
        responded_at=parse_timestamp(values.get("responded_at") or ""),
        score=int(raw_score),
        survey_type=survey_type,
        attributes={k: v for k, v in values.items() if k not in CANONICAL_COLUMNS and v} or None,
    )
    return record


def parse_timestamp(text: str) -> datetime:
    """ISO 8601; a timestamp without offset is read as UTC."""
    if not text:
        raise RowError("missing responded_at")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"invalid responded_at {text!r}: expected ISO 8601") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise RowError(f"invalid responded_at {text!r}: outside years 1..9999 in UTC") from None


def read_file(path: Path, content: bytes, default_survey_type: str) -> Iterator[Batch]:
    """Batches of parsed and quarantined rows of one file (no cursor; the caller sets it)."""
    modified_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield Batch(quarantined=[QuarantineRecord(str(path), f"file is not UTF-8: {error}", "")])
        return
    reader = csv.DictReader(io.StringIO(text.replace("\x00", ""), newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        header = ",".join(reader.fieldnames or [])
        reason = f"header lacks required column(s) {', '.join(missing)}"
        yield Batch(quarantined=[QuarantineRecord(f"{path}:line 1", reason, header)])
        return
    batch = Batch()
    for row in reader:
        ref = f"{path}:line {reader.line_num}"
        try:
            if None in row:  # more fields than the header has
                fields = len(reader.fieldnames) + len(row[None])
                raise RowError(f"row has {fields} fields, the header {len(reader.fieldnames)}")
            record = parse_row(row, default_survey_type)
        except RowError as error:
            batch.quarantined.append(QuarantineRecord(ref, str(error), _raw(row)))
        else:
            record["payload"] = row
            record["_modified_at"] = modified_at
            batch.records.append(record)
        if len(batch.records) + len(batch.quarantined) >= BATCH_ROWS:
            yield batch
            batch = Batch()
    if batch.records or batch.quarantined:
        yield batch


def extract(config: CsvSourceConfig, object_name: str, cursor: str | None, window: Window | None = None) -> Iterator[Batch]:
    if window is not None:
        yield from _extract_window(config, window)
        return
    loaded = json.loads(cursor) if cursor else {}
    for path in sorted(Path(p) for p in glob.glob(str(config.path), recursive=True)):
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if loaded.get(str(path)) == digest:
            continue
        # Only the file's last batch advances the cursor: a file half landed is read again.
        last = Batch()
        for batch in read_file(path, content, config.survey_type):
            if batch is not last and (last.records or last.quarantined):
                yield last
            last = batch
        loaded[str(path)] = digest
        last.cursor = json.dumps(loaded, sort_keys=True)
        yield last


def _extract_window(config: CsvSourceConfig, window: Window) -> Iterator[Batch]:
    """Every file read again (the cursor is not consulted); the rows answered within the window land,
    and rows that cannot be read are quarantined again (once: quarantine skips what it holds)."""
    for path in sorted(Path(p) for p in glob.glob(str(config.path), recursive=True)):
        for batch in read_file(path, path.read_bytes(), config.survey_type):
            yield Batch([r for r in batch.records if r["responded_at"] in window], batch.quarantined)


def _raw(row: dict[str | None, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=str)


CONNECTOR = Connector(
    source_type="csv",
    config_model=CsvSourceConfig,
    tables={"responses": responses_table("csv")},
    extract=extract,
)
