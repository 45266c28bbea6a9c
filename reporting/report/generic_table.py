"""A mart shown as it is: every column under its friendly name, numbers rounded for reading."""
from __future__ import annotations

import numbers

import pandas as pd

from reporting.friendly_names import friendly_name


def table_columns(frame: pd.DataFrame) -> tuple[list[str], frozenset[int]]:
    numeric = frozenset(
        index for index, column in enumerate(frame.columns)
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
    )
    return [friendly_name(column) for column in frame.columns], numeric


def table_rows(frame: pd.DataFrame) -> list[list[str]]:
    return [[cell(value) for value in row] for row in frame.itertuples(index=False)]


def cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)
