"""Build the report: read the reporting database, prepare every section, write one HTML file."""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from reporting.report.customer_value import customer_value_section
from reporting.report.data import ReportData
from reporting.report.drivers import drivers_section
from reporting.report.employees import employees_section
from reporting.report.follow_up import follow_up_section
from reporting.report.headline import headline_section
from reporting.report.overall_trend import overall_trend_section
from reporting.report.page import render_page
from reporting.report.periods import DEFAULT_GRAIN, GRAINS, SURVEY_TYPES, period_options
from reporting.report.sections import Section
from reporting.report.small_multiples import small_multiples_section
from reporting.report.survey_types import survey_types_section


def report_sections(data: ReportData) -> list[Section]:
    return [
        headline_section(data.nps_overall),
        overall_trend_section(data.nps_overall),
        survey_types_section(data.nps_overall),
        small_multiples_section(data.nps_by_product, "product", "product", "products"),
        small_multiples_section(data.nps_by_process, "process", "process", "processes"),
        employees_section(data.nps_by_employee),
        drivers_section(data.nps_drivers_by_process),
        customer_value_section(data.customer_value_by_nps),
        follow_up_section(data.detractor_follow_up),
    ]


def render_report(data: ReportData) -> str:
    overall = data.nps_overall
    grains = [grain for grain in GRAINS if grain in set(overall["period_grain"])]
    # The last day with responses: the end of the data, so the periods it cuts short are partial.
    days = overall.loc[overall["period_grain"] == "day", "period_start"]
    last_day = date.fromisoformat(days.max()) if len(days) else date.max - timedelta(days=1)
    periods, default_periods = {}, {}
    for grain in grains:
        starts = set(overall.loc[overall["period_grain"] == grain, "period_start"])
        periods[grain], default_periods[grain] = period_options(grain, starts, last_day)
    return render_page(
        report_sections(data),
        grains=[(grain, grain) for grain in grains],
        default_grain=DEFAULT_GRAIN if DEFAULT_GRAIN in grains else (grains[0] if grains else DEFAULT_GRAIN),
        survey_types=list(SURVEY_TYPES),
        periods=periods,
        default_periods=default_periods,
        published_at=data.published_at,
        source=data.source,
    )


def write_report(data: ReportData, out_path: Path) -> Path:
    """Written next to the target and renamed over it: a browser never opens half a report."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".next")
    partial.write_text(render_report(data), encoding="utf-8")
    os.replace(partial, out_path)
    return out_path
