"""The chosen period at a glance: NPS per survey type with its interval, change and target."""
from __future__ import annotations

import pandas as pd

from reporting.report.sections import Section, Table, interval, key, number, signed

COLUMNS = ["Survey type", "Responses", "NPS", "95 % interval", "Change", "Target", "Gap to target"]


def headline_section(overall: pd.DataFrame) -> Section:
    rows: dict[str, list[list[str]]] = {}
    ordered = overall.sort_values(["period_grain", "period_start", "survey_type"], ascending=[True, True, False])
    for row in ordered.itertuples(index=False):
        rows.setdefault(key(row.period_grain, row.period_start), []).append([
            row.survey_type + ("" if row.is_reportable else " (few responses)"),
            str(row.responses),
            number(row.nps),
            interval(row.nps_ci_lower, row.nps_ci_upper),
            signed(row.nps_change) + (" significant" if row.change_is_significant else ""),
            number(row.target_nps, 0),
            signed(row.gap_to_target),
        ])
    return Section(
        id="headline",
        title="At a glance",
        intro="The chosen period. A change is marked significant when it is unlikely to be noise (95 %).",
        parts=[Table(COLUMNS, rows, varies_with=("grain", "period"), empty="No responses in this period.",
                     numeric_columns=frozenset(range(1, 7)))],
    )
