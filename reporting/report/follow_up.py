"""The detractor follow-up backlog (the closed-loop marts): open and overdue follow-ups per process."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from reporting.report.sections import Chart, Section, Table, figure_json, unavailable_section
from reporting.report.traces import base_layout

TABLE = "detractor_follow_up"
STATUS_COLORS = {"overdue": "#c62828", "open": "#f9a825", "done": "#2e7d32"}
TITLE = "Follow-up backlog"


def follow_up_section(follow_up: pd.DataFrame | None) -> Section:
    """`follow_up`: the follow-ups counted per process and status (column `row_count`), as the report
    reads detractor_follow_up."""
    if unavailable := unavailable_section("follow-up", TITLE, TABLE, follow_up, ("status",)):
        return unavailable
    process = follow_up["process"].fillna("(no process)") if "process" in follow_up.columns else "all"
    counts = (
        follow_up.assign(process=process)
        .groupby(["process", "status"])["row_count"].sum()
        .unstack("status", fill_value=0)
    )
    statuses = [status for status in STATUS_COLORS if status in counts.columns] + sorted(
        status for status in counts.columns if status not in STATUS_COLORS
    )
    counts = counts[statuses]
    figure = go.Figure(
        [go.Bar(name=status, y=counts.index, x=counts[status], orientation="h",
                marker_color=STATUS_COLORS.get(status, "#1f4e79")) for status in statuses],
        layout=base_layout(height=max(220, 40 * len(counts) + 100)),
    )
    figure.update_layout(barmode="stack", xaxis_title="follow-ups")
    rows = [
        [str(process_name), *[f"{int(counts.at[process_name, status]):,}" for status in statuses]]
        for process_name in counts.index
    ]
    return Section(
        "follow-up", TITLE,
        "Detractor responses that need a follow-up, by status: open, overdue (past the SLA) and done.",
        [
            Chart({"": figure_json(figure)}, varies_with=(), empty=""),
            Table(["Process", *[status.capitalize() for status in statuses]], {"": rows}, varies_with=(),
                  empty="No follow-ups.", numeric_columns=frozenset(range(1, len(statuses) + 1))),
        ],
    )
