"""The choices the page offers: period grains, survey types, and how a period is labelled."""
from __future__ import annotations

from datetime import date, timedelta

GRAINS = ("day", "week", "month", "quarter", "year")
DEFAULT_GRAIN = "month"
SURVEY_TYPES = ("transactional", "relational")


def period_label(grain: str, period_start: str) -> str:
    """'2026-09-01' as a reader names that period: 2026-09-01, 2026-W36, Sep 2026, 2026 Q3, 2026."""
    start = date.fromisoformat(period_start)
    if grain == "day":
        return start.isoformat()
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return start.strftime("%b %Y")
    if grain == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if grain == "year":
        return str(start.year)
    raise ValueError(f"period grain: expected one of {', '.join(GRAINS)}, found {grain!r}")


def selection_key(grain: str, survey_type: str) -> str:
    """Key of a prepared figure or table in the page's data, e.g. 'month|transactional'."""
    return f"{grain}|{survey_type}"


def period_end(grain: str, period_start: str) -> date:
    """The first day after the period."""
    start = date.fromisoformat(period_start)
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    month_index = start.month - 1 + months
    return date(start.year + month_index // 12, month_index % 12 + 1, 1)


def period_options(grain: str, period_starts: set[str], last_day: date) -> tuple[list[tuple[str, str]], str]:
    """The periods to choose from, newest first, those not over by `last_day` (the last day with
    responses) labelled partial; and the default: the newest complete period (else the newest)."""
    newest_first = sorted(period_starts, reverse=True)
    complete = [start for start in newest_first if period_end(grain, start) <= last_day + timedelta(days=1)]
    options = [
        (start, period_label(grain, start) + ("" if start in complete else " (partial)")) for start in newest_first
    ]
    return options, complete[0] if complete else (newest_first[0] if newest_first else "")
