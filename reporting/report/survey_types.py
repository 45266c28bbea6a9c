"""Transactional and relational NPS side by side: what customers say right after an interaction
next to what they say about the relationship."""
from __future__ import annotations

import pandas as pd
from plotly.subplots import make_subplots

from reporting.report.periods import SURVEY_TYPES
from reporting.report.sections import Chart, Section, figure_json
from reporting.report.traces import base_layout, nps_axis, nps_traces, period_axis


def survey_types_section(overall: pd.DataFrame) -> Section:
    figures = {}
    for grain, periods in overall.groupby("period_grain"):
        figure = make_subplots(
            rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
            subplot_titles=[survey_type.capitalize() for survey_type in SURVEY_TYPES],
        )
        for column, survey_type in enumerate(SURVEY_TYPES, start=1):
            of_type = periods[periods["survey_type"] == survey_type]
            for trace in nps_traces(of_type, "NPS", show_legend=column == 1) if len(of_type) else []:
                figure.add_trace(trace, row=1, col=column)
        figure.update_layout(**base_layout(height=360))
        figure.update_yaxes(**nps_axis(periods))
        figure.update_xaxes(**period_axis(grain))
        figure.update_yaxes(title_text=None, col=2)
        figures[grain] = figure_json(figure)
    return Section(
        id="survey-types",
        title="Transactional and relational",
        intro=(
            "Transactional NPS is asked right after an interaction; relational NPS is a periodic sample "
            "of customers about the relationship as a whole. Same scale, same grain."
        ),
        parts=[Chart(figures, varies_with=("grain",), empty="No responses.")],
    )
