"""Top comment drivers (the closed-loop mart nps_drivers_by_process): the themes whose detractors
cost a process the most NPS points in the chosen period, where improvement teams act first."""
from __future__ import annotations

import pandas as pd

from reporting.report.sections import Section, Table, key, number, unavailable_section

TABLE = "nps_drivers_by_process"
GAIN = "nps_gain_if_detractors_passive"
REQUIRED = (
    "period_grain", "period_start", "survey_type", "process", "theme", "mentions", "detractor_mentions",
    "share_of_detractors", "share_of_promoters", "nps_of_mentions", GAIN,
)
COLUMNS = [
    "Process", "Theme", "Mentions", "By detractors", "Share of detractors", "Share of promoters",
    "NPS of mentions", "NPS points to gain",
]
TOP = 15
TITLE = "Top comment drivers"


def drivers_section(drivers: pd.DataFrame | None) -> Section:
    if unavailable := unavailable_section("drivers", TITLE, TABLE, drivers, REQUIRED):
        return unavailable
    rows: dict[str, list[list[str]]] = {}
    for (grain, survey_type, period_start), themes in drivers.groupby(["period_grain", "survey_type", "period_start"]):
        top = themes.sort_values([GAIN, "process", "theme"], ascending=[False, True, True]).head(TOP)
        rows[key(grain, survey_type, period_start)] = [
            [
                str(row.process), str(row.theme), str(row.mentions), str(row.detractor_mentions),
                _percent(row.share_of_detractors), _percent(row.share_of_promoters),
                number(row.nps_of_mentions), number(getattr(row, GAIN)),
            ]
            for row in top.itertuples(index=False)
        ]
    return Section(
        "drivers", TITLE,
        "Themes tagged in the comments, per process. NPS points to gain: how much the process's NPS would "
        "rise if the detractors mentioning the theme became passives. The largest gains first.",
        [Table(COLUMNS, rows, varies_with=("grain", "survey_type", "period"),
               empty="No tagged comments in this period.", numeric_columns=frozenset(range(2, 8)))],
    )


def _percent(share: float | None) -> str:
    return "–" if share is None or share != share else f"{100 * share:.0f} %"
