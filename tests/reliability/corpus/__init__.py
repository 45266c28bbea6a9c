"""Malformed and awkward records for every source, each with what must become of it: landed intact
(valid data however odd: long text, emoji, SQL-looking text) or quarantined with a reason that names
the problem. `survey_responses`, `crm_records` and `csv_rows` hold the entries per source."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Valid, awkward text every source must land byte for byte.
LONG_COMMENT = ("Slow line, then fine. " * 47_663)[:1_048_576].strip()  # 1 MB
EMOJI_AND_SCRIPTS = "Très bien 👍🏽 — отлично, 非常好, ممتاز, שלום 🇳🇱 Z͑ͫ̓ͪ̂ͫ̽͏̴̙"
SQL_LOOKING = "'; drop table raw.csv__responses; --"
CONTROL_CHARACTERS = "line one\nline two\r\n\ttabbed \x07bell \x1b[31mred\x1b[0m \x7f"
NUL_INSIDE = "before\x00after"


@dataclass(frozen=True)
class Entry:
    """One corpus record. `world` fields go into the vendor's record as the vendor stores it;
    `vendor` (vendor_overrides) spoils the shape the API serves (None deletes a key)."""

    name: str
    reason: str | None = None  # None: must land; else words the quarantine reason holds
    world: dict[str, Any] = field(default_factory=dict)
    vendor: dict[str, Any] = field(default_factory=dict)
    lands: dict[str, Any] = field(default_factory=dict)  # raw column -> exact value once landed
