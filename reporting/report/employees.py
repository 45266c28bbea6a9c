"""Employees with enough responses in the chosen period: n, NPS and the shrunk NPS to compare them by."""
from __future__ import annotations

import pandas as pd

from reporting.report.sections import Section, Table, interval, key, number

COLUMNS = ["Employee", "Process", "Responses", "NPS", "95 % interval", "Shrunk NPS"]


def employees_section(by_employee: pd.DataFrame | None) -> Section:
    if by_employee is None:
        return Section(
            id="employees", title="Employees", intro="",
            unavailable=(
                "Not available: employee-level results are in the restricted reporting database, "
                "which this report was not built from."
            ),
        )  # fmt: skip
    reportable = by_employee[by_employee["is_reportable"].astype(bool)]
    ordered = reportable.sort_values(["nps_shrunk", "employee_id"], ascending=[False, True])
    has_process = "process" in ordered.columns
    rows: dict[str, list[list[str]]] = {}
    for row in ordered.itertuples(index=False):
        rows.setdefault(key(row.period_grain, row.survey_type, row.period_start), []).append([
            str(row.employee_id),
            str(row.process) if has_process and isinstance(row.process, str) else "–",
            str(row.responses),
            number(row.nps),
            interval(row.nps_ci_lower, row.nps_ci_upper),
            number(row.nps_shrunk),
        ])
    return Section(
        id="employees",
        title="Employees",
        intro=(
            "Only employees with at least the reporting minimum of responses in the period. Shrunk NPS "
            "pulls each NPS toward the NPS of the process, the more the fewer responses: compare "
            "employees by it, not by the raw NPS. Sorted by shrunk NPS."
        ),
        parts=[Table(COLUMNS, rows, varies_with=("grain", "survey_type", "period"),
                     empty="No employee reached the reporting minimum in this period.",
                     numeric_columns=frozenset({2, 3, 4, 5}))],
    )
