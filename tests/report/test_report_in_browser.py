"""The report opened in headless Chromium: it loads without JavaScript errors, draws its charts,
honours a selection given in the address, and leaves a screenshot under data/test-artifacts/report."""
from __future__ import annotations

import pytest

from reporting.report import load_duckdb, write_report
from tests.report.chromium import load_page
from tests.report.page_dom import body_attributes, drawn_charts, section, table_rows, visible_messages
from tests.report.reporting_fixture import restricted_path, write_reporting_database

pytestmark = pytest.mark.slow  # Chromium takes 5-10 s per page here


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    marts = write_reporting_database(folder / "reporting.duckdb", with_later_marts=True)
    data = load_duckdb(folder / "reporting.duckdb", restricted_path(folder / "reporting.duckdb"))
    page = write_report(data, folder / "report" / "index.html")
    return page, marts


def test_the_report_loads_without_errors_and_draws_every_chart(report, tmp_path):
    page, marts = report

    loaded = load_page(page.as_uri(), tmp_path / "profile", "report_month_transactional.png")

    assert loaded.console == []
    assert body_attributes(loaded.dom) == {"data-rendered": "month|transactional|2026-06-01"}
    assert loaded.dom.count('class="main-svg"') >= 6
    charts = {
        section_id: drawn_charts(section(loaded.dom, section_id))
        for section_id in ("overall-trend", "survey-types", "products", "processes", "customer-value", "follow-up")
    }
    assert charts == dict.fromkeys(charts, 1)
    employees = marts["nps_by_employee"]
    june = employees[
        (employees["period_grain"] == "month") & (employees["period_start"].astype(str) == "2026-06-01")
        & employees["is_reportable"]
    ].sort_values("nps_shrunk", ascending=False)
    assert [row[0] for row in table_rows(section(loaded.dom, "employees"))] == list(june["employee_id"])
    assert [row[2] for row in table_rows(section(loaded.dom, "employees"))] == [str(n) for n in june["responses"]]
    assert [row[:3] for row in table_rows(section(loaded.dom, "drivers"))] == [
        ["billing", "billing", "40"], ["support", "waiting time", "25"], ["billing", "price", "12"]]
    assert loaded.screenshot.stat().st_size > 50_000


def test_a_link_with_a_selection_opens_the_report_on_it(report, tmp_path):
    page, marts = report

    loaded = load_page(
        page.as_uri() + "#grain=quarter&survey_type=relational&period=2026-01-01",
        tmp_path / "profile", "report_quarter_relational.png",
    )

    assert loaded.console == []
    assert body_attributes(loaded.dom) == {"data-rendered": "quarter|relational|2026-01-01"}
    headline = table_rows(section(loaded.dom, "headline"))
    overall = marts["nps_overall"]
    q1 = overall[(overall["period_grain"] == "quarter") & (overall["period_start"].astype(str) == "2026-01-01")]
    assert [row[0] for row in headline] == ["transactional", "relational"]
    assert [row[1] for row in headline] == [
        str(q1.loc[q1["survey_type"] == survey_type, "responses"].item()) for survey_type in ("transactional", "relational")
    ]
    # Relational responses have no process and no employee: those parts say so instead of drawing.
    assert drawn_charts(section(loaded.dom, "processes")) == 0
    assert visible_messages(section(loaded.dom, "processes")) == ["No responses with a process for this survey type."]
    assert visible_messages(section(loaded.dom, "employees")) == ["No employee reached the reporting minimum in this period."]
    assert drawn_charts(section(loaded.dom, "products")) == 1
