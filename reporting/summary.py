"""The short summary `nps demo` prints: NPS overall and per product for the last full quarter."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb


def last_full_quarter(today: date) -> date:
    """First day of the last quarter that has ended before `today`."""
    quarter_start_month = 3 * ((today.month - 1) // 3) + 1
    if quarter_start_month == 1:
        return date(today.year - 1, 10, 1)
    return date(today.year, quarter_start_month - 3, 1)


def quarter_summary(reporting_path: Path, today: date) -> str:
    quarter = last_full_quarter(today)
    con = duckdb.connect(str(reporting_path), read_only=True)
    try:
        rows = con.execute(
            """
            select survey_type, 'all products' as grp, responses, nps, nps_ci_lower, nps_ci_upper, 0 as ord
            from nps_overall where period_grain = 'quarter' and period_start = ?
            union all
            select survey_type, product, responses, nps, nps_ci_lower, nps_ci_upper, 1
            from nps_by_product where period_grain = 'quarter' and period_start = ?
            order by survey_type desc, ord, grp
            """,
            [quarter, quarter],
        ).fetchall()
    finally:
        con.close()
    label = f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"
    if not rows:
        return f"No responses in the last full quarter ({label})."
    lines = [f"NPS for {label} (95 % adjusted-Wald interval)", ""]
    lines.append(f"  {'survey type':<14} {'group':<16} {'n':>7} {'NPS':>7}   interval")
    for survey_type, group, n, nps, lower, upper, _ in rows:
        lines.append(f"  {survey_type:<14} {group:<16} {n:>7} {nps:>7.1f}   [{lower:.1f}, {upper:.1f}]")
    return "\n".join(lines)
