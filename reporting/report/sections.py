"""What a report section is made of: prepared charts and tables, each keyed by the page's selection.

A part `varies_with` some of the page's choices (grain, survey_type, period); the page joins the
chosen values of those choices with '|' to find the prepared figure or rows to show, and shows the
part's `empty` text when nothing was prepared for that selection.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

@dataclass(frozen=True)
class Chart:
    figures: dict[str, dict]  # selection key -> plotly figure as JSON-ready dict
    varies_with: tuple[str, ...]
    empty: str


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: dict[str, list[list[str]]]  # selection key -> rows of formatted cells
    varies_with: tuple[str, ...]
    empty: str
    numeric_columns: frozenset[int] = frozenset()  # right-aligned


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    parts: list[Chart | Table] = field(default_factory=list)
    unavailable: str | None = None  # shown instead of the parts when the data does not exist (yet)


def figure_json(figure: go.Figure) -> dict:
    return json.loads(pio.to_json(figure, validate=False))


def key(*values: str) -> str:
    return "|".join(values)


def number(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:  # NaN
        return "–"
    return f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:+.{digits}f}"


def interval(lower: float, upper: float) -> str:
    return f"[{number(lower)}, {number(upper)}]"


def unavailable_section(
    section_id: str, title: str, table: str, frame: pd.DataFrame | None, required: tuple[str, ...]
) -> Section | None:
    """The section saying why it cannot be shown (the mart is not published, or lacks a column it
    needs); None when it can be."""
    if frame is None:
        return Section(section_id, title, "", unavailable=f"Not available: the reporting database has no {table} yet.")
    missing = [column for column in required if column not in frame.columns]
    if missing:
        found = ", ".join(frame.columns)
        return Section(
            section_id, title, "",
            unavailable=f"Not available: {table} has no column {', '.join(missing)} (found {found}).",
        )
    return None
