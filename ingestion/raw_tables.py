"""Raw table layouts. Every raw table holds extracted columns, the record's payload (JSON) and load
metadata; the natural key is unique within a source (`_source`)."""
from __future__ import annotations

from dataclasses import dataclass, field

RAW_SCHEMA = "raw"

# Appended to every raw table. `_modified_at` decides which version of a record wins.
METADATA_COLUMNS: dict[str, str] = {
    "payload": "json",
    "_source": "varchar",
    "_modified_at": "timestamp with time zone",
    "_loaded_at": "timestamp with time zone",
    "_batch_id": "varchar",
}


@dataclass(frozen=True)
class RawTable:
    name: str  # table name in the raw schema, `<source type>__<object>`
    key: tuple[str, ...]  # natural key within one source
    columns: dict[str, str] = field(default_factory=dict)  # extracted column -> SQL type

    @property
    def qualified_name(self) -> str:
        return f"{RAW_SCHEMA}.{self.name}"

    @property
    def all_columns(self) -> dict[str, str]:
        return {**self.columns, **METADATA_COLUMNS}


# The canonical survey response: what every survey connector extracts, whatever the tool.
RESPONSE_COLUMNS: dict[str, str] = {
    "response_id": "varchar",
    "responded_at": "timestamp with time zone",
    "score": "integer",
    "comment": "varchar",
    "customer_id": "varchar",
    "customer_email": "varchar",
    "product": "varchar",
    "process": "varchar",
    "employee_id": "varchar",
    "survey_type": "varchar",
    "channel": "varchar",
    "language": "varchar",
    "attributes": "json",
}


def responses_table(source_type: str) -> RawTable:
    return RawTable(name=f"{source_type}__responses", key=("response_id",), columns=RESPONSE_COLUMNS)


QUARANTINE_TABLE = f"{RAW_SCHEMA}.quarantine"
CURSORS_TABLE = f"{RAW_SCHEMA}.cursors"
