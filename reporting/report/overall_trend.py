"""Overall NPS over time for the chosen grain and survey type, with its interval and the target."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from reporting.report.sections import Chart, Section, figure_json, key
from reporting.report.traces import base_layout, nps_axis, nps_traces, period_axis


def overall_trend_section(overall: pd.DataFrame) -> Section:
    figures = {}
    for (grain, survey_type), periods in overall.groupby(["period_grain", "survey_type"]):
        figure = go.Figure(nps_traces(periods, "NPS"), layout=base_layout(height=380))
        figure.update_yaxes(**nps_axis(periods))
        figure.update_xaxes(**period_axis(grain))
        figures[key(grain, survey_type)] = figure_json(figure)
    return Section(
        id="overall-trend",
        title="Overall NPS",
        intro=(
            "NPS per period with its 95 % adjusted-Wald interval (band) and the target (dashed). "
            "Open markers: fewer responses than the reporting minimum; read them with care."
        ),
        parts=[Chart(figures, varies_with=("grain", "survey_type"), empty="No responses of this survey type.")],
    )
