"""Customer value per NPS category (the attribution marts): each measure that comes with a 95 %
interval (<measure>_ci_lower/_ci_upper or _ci_low/_ci_high) as bars with error bars, and the mart as
a table."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reporting.friendly_names import friendly_name
from reporting.report.generic_table import table_columns, table_rows
from reporting.report.sections import Chart, Section, Table, figure_json, unavailable_section
from reporting.report.traces import base_layout

TABLE = "customer_value_by_nps"
CATEGORY = "nps_category"
CATEGORY_ORDER = ("promoter", "passive", "detractor", "not_rated")
CATEGORY_COLORS = {"promoter": "#2e7d32", "passive": "#9aa5b1", "detractor": "#c62828", "not_rated": "#cfd6de"}
INTERVAL_SUFFIXES = (("_ci_lower", "_ci_upper"), ("_ci_low", "_ci_high"))
TITLE = "Customer value per NPS category"


def customer_value_section(value: pd.DataFrame | None) -> Section:
    if unavailable := unavailable_section("customer-value", TITLE, TABLE, value, (CATEGORY,)):
        return unavailable
    rank = {category: index for index, category in enumerate(CATEGORY_ORDER)}
    value = value.sort_values(CATEGORY, key=lambda categories: categories.map(lambda c: rank.get(c, len(rank))))
    measures = {
        column: (f"{column}{low}", f"{column}{high}")
        for column in value.columns
        for low, high in INTERVAL_SUFFIXES
        if f"{column}{low}" in value.columns and f"{column}{high}" in value.columns
    }
    parts = []
    if measures:
        figure = make_subplots(rows=1, cols=len(measures), subplot_titles=[friendly_name(m) for m in measures])
        for index, (measure, (lower, upper)) in enumerate(measures.items(), start=1):
            figure.add_trace(
                go.Bar(
                    x=value[CATEGORY], y=value[measure], showlegend=False,
                    marker_color=[CATEGORY_COLORS.get(category, "#1f4e79") for category in value[CATEGORY]],
                    error_y={
                        "type": "data", "symmetric": False,
                        "array": value[upper] - value[measure],
                        "arrayminus": value[measure] - value[lower],
                    },
                    hovertemplate="%{x}: %{y:,.2f}<extra></extra>",
                ),
                row=1, col=index,
            )
        figure.update_layout(**base_layout(height=340))
        parts.append(Chart({"": figure_json(figure)}, varies_with=(), empty=""))
    columns, numeric = table_columns(value)
    parts.append(Table(columns, {"": table_rows(value)}, varies_with=(), empty="No rows.", numeric_columns=numeric))
    return Section(
        "customer-value", TITLE,
        "What a promoter, a passive and a detractor are worth: bars with 95 % intervals. An association "
        "measured on customers over time, not proof that raising NPS causes the difference.",
        parts,
    )
