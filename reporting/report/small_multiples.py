"""One small NPS chart per product or per process, on one shared scale so they can be compared."""
from __future__ import annotations

import math

import pandas as pd
from plotly.subplots import make_subplots

from reporting.report.sections import Chart, Section, figure_json, key
from reporting.report.traces import base_layout, nps_axis, nps_traces, period_axis

COLUMNS = 3
ROW_HEIGHT = 210


def small_multiples_section(marts: pd.DataFrame, group_column: str, noun: str, section_id: str) -> Section:
    """marts: nps_by_product or nps_by_process; group_column: product or process."""
    figures = {}
    for (grain, survey_type), periods in marts.groupby(["period_grain", "survey_type"]):
        groups = sorted(periods[group_column].dropna().unique())
        rows = math.ceil(len(groups) / COLUMNS)
        figure = make_subplots(
            rows=rows, cols=COLUMNS, shared_xaxes=True, shared_yaxes=True,
            subplot_titles=[str(group) for group in groups],
            vertical_spacing=min(0.3 / rows, 0.12), horizontal_spacing=0.03,
        )
        for index, group in enumerate(groups):
            traces = nps_traces(periods[periods[group_column] == group], "NPS", show_legend=index == 0)
            for trace in traces:
                figure.add_trace(trace, row=index // COLUMNS + 1, col=index % COLUMNS + 1)
        # Empty cells of the last row are hidden; the chart above each one shows the dates instead.
        for unused in range(len(groups), rows * COLUMNS):
            row, col = unused // COLUMNS + 1, unused % COLUMNS + 1
            figure.update_xaxes(visible=False, row=row, col=col)
            figure.update_yaxes(visible=False, row=row, col=col)
            if row > 1:
                figure.update_xaxes(showticklabels=True, row=row - 1, col=col)
        figure.update_layout(**base_layout(height=ROW_HEIGHT * rows + 80))
        figure.update_yaxes(**{**nps_axis(periods), "title": None})
        figure.update_xaxes(**period_axis(grain))
        figures[key(grain, survey_type)] = figure_json(figure)
    return Section(
        id=section_id,
        title=f"NPS per {noun}",
        intro=(
            f"One chart per {noun}, all on the same scale. The band is the 95 % interval: where bands "
            "overlap a lot, the difference may be noise."
        ),
        parts=[
            Chart(figures, varies_with=("grain", "survey_type"), empty=f"No responses with a {noun} for this survey type.")
        ],
    )
