"""The NPS-over-time picture every chart shares: the 95 % interval as a band, NPS as a line (open
markers where the group is below min_responses), and the target as a dashed step line."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from reporting.report.periods import period_label

NPS_COLOR = "#1f4e79"
BAND_COLOR = "rgba(31, 78, 121, 0.15)"
TARGET_COLOR = "#c0392b"
MUTED_COLOR = "#9aa5b1"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"

HOVER = (
    "%{customdata[4]}<br>NPS %{y:.1f} [%{customdata[1]:.1f}, %{customdata[2]:.1f}]"
    "<br>n = %{customdata[0]}<br>change %{customdata[3]}<extra></extra>"
)


def nps_traces(periods: pd.DataFrame, name: str, show_legend: bool = True) -> list[go.Scatter]:
    """periods: the rows of one group, grain and survey type of an NPS mart, any order."""
    periods = periods.sort_values("period_start")
    labels = [period_label(grain, start) for grain, start in zip(periods["period_grain"], periods["period_start"])]
    x = periods["period_start"]
    traces = [
        go.Scatter(
            x=x, y=periods["nps_ci_upper"], mode="lines", line={"width": 0}, hoverinfo="skip",
            showlegend=False, legendgroup="interval",
        ),
        go.Scatter(
            x=x, y=periods["nps_ci_lower"], mode="lines", line={"width": 0}, fill="tonexty",
            fillcolor=BAND_COLOR, hoverinfo="skip", name="95 % interval", legendgroup="interval",
            showlegend=show_legend,
        ),
        go.Scatter(
            x=x, y=periods["nps"], mode="lines+markers", name=name, showlegend=show_legend,
            line={"color": NPS_COLOR, "width": 2},
            marker={
                "size": 6,
                "color": [NPS_COLOR if reportable else "white" for reportable in periods["is_reportable"]],
                "line": {"color": NPS_COLOR, "width": 1.5},
            },
            customdata=list(zip(
                periods["responses"], periods["nps_ci_lower"], periods["nps_ci_upper"],
                [_change_text(change, significant) for change, significant
                 in zip(periods["nps_change"], periods["change_is_significant"])],
                labels,
            )),
            hovertemplate=HOVER,
        ),
    ]
    if periods["target_nps"].notna().any():
        traces.append(
            go.Scatter(
                x=x, y=periods["target_nps"], mode="lines", name="target", showlegend=show_legend,
                line={"color": TARGET_COLOR, "width": 1.5, "dash": "dash", "shape": "hv"},
                hovertemplate="target %{y:.0f}<extra></extra>", connectgaps=False,
            )
        )
    return traces


def base_layout(height: int) -> dict:
    return {
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
        "font": {"family": FONT, "size": 12},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15},
    }


def nps_axis(periods: pd.DataFrame) -> dict:
    """A y axis holding every interval and target of `periods` with a little room, never beyond
    -100..100, zero emphasised."""
    values = pd.concat([periods["nps_ci_lower"], periods["nps_ci_upper"], periods["target_nps"]]).dropna()
    lower, upper = float(values.min()), float(values.max())
    pad = max(5.0, (upper - lower) * 0.05)
    return {
        "range": [max(-100.0, lower - pad), min(100.0, upper + pad)],
        "zeroline": True, "zerolinecolor": MUTED_COLOR, "gridcolor": "#eef1f4", "title": {"text": "NPS"},
    }


# Ticks on period starts, labelled as the period is named (plotly's %q is the quarter).
PERIOD_TICKS = {
    "month": {"tickformat": "%b %Y"},
    "quarter": {"dtick": "M3", "tickformat": "%Y Q%q"},
    "year": {"dtick": "M12", "tickformat": "%Y"},
}


def period_axis(grain: str) -> dict:
    return {"type": "date", "showgrid": False, **PERIOD_TICKS.get(grain, {})}


def _change_text(change: float | None, significant: bool) -> str:
    if change is None or pd.isna(change):
        return "n/a"
    return f"{change:+.1f}" + (" (significant)" if significant else "")
