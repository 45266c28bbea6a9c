"""What each section of the report shows, read from a small reporting database."""
from __future__ import annotations

import base64
import re
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from reporting.report import ReportDataError, load_duckdb, load_postgres, render_report
from reporting.report.build import report_sections
from reporting.report.periods import period_label, period_options
from tests.report.reporting_fixture import copy_to_postgres, restricted_path, write_reporting_database


def plotted(values: list | dict) -> list:
    """Plotly writes numeric arrays as base64 typed arrays ({"dtype", "bdata"}); other arrays as lists."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


@pytest.fixture(scope="module")
def reporting_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("reporting") / "reporting.duckdb"
    write_reporting_database(path)
    return path


@pytest.fixture(scope="module")
def sections(reporting_path):
    return {section.id: section for section in report_sections(load_duckdb(reporting_path, restricted_path(reporting_path)))}


@pytest.mark.parametrize(
    ("grain", "label"),
    [("day", "2026-03-30"), ("week", "2026-W14"), ("month", "Mar 2026"), ("quarter", "2026 Q1"), ("year", "2026")],
)
def test_periods_are_labelled_as_readers_name_them(grain, label):
    assert period_label(grain, "2026-03-30") == label


def test_the_page_opens_on_the_newest_complete_period_and_marks_partial_ones():
    months, default_month = period_options("month", {"2026-09-01", "2026-10-01", "2026-11-01"}, date(2026, 11, 22))
    weeks, default_week = period_options("week", {"2026-11-09", "2026-11-16"}, date(2026, 11, 22))  # a Sunday

    assert months == [("2026-11-01", "Nov 2026 (partial)"), ("2026-10-01", "Oct 2026"), ("2026-09-01", "Sep 2026")]
    assert default_month == "2026-10-01"
    assert weeks == [("2026-11-16", "2026-W47"), ("2026-11-09", "2026-W46")]
    assert default_week == "2026-11-16"


def test_the_headline_shows_both_survey_types_of_the_chosen_period(sections):
    table = sections["headline"].parts[0]

    rows = table.rows["quarter|2026-04-01"]

    assert [row[0] for row in rows] == ["transactional", "relational"]
    assert table.columns == ["Survey type", "Responses", "NPS", "95 % interval", "Change", "Target", "Gap to target"]
    assert sorted(table.rows) == [f"month|2026-0{m}-01" for m in range(1, 7)] + [
        "quarter|2026-01-01", "quarter|2026-04-01", "year|2026-01-01"]


def test_the_headline_numbers_are_the_marts_rounded_to_one_decimal(reporting_path, sections):
    con = duckdb.connect(str(reporting_path), read_only=True)
    responses, nps, lower, upper, change, target, gap = con.execute(
        "select responses, nps, nps_ci_lower, nps_ci_upper, nps_change, target_nps, gap_to_target from nps_overall"
        " where period_grain = 'quarter' and period_start = date '2026-04-01' and survey_type = 'transactional'"
    ).fetchone()
    con.close()

    row = sections["headline"].parts[0].rows["quarter|2026-04-01"][0]

    assert row[1:4] == [str(responses), f"{nps:.1f}", f"[{lower:.1f}, {upper:.1f}]"]
    assert row[4].split(" ")[0] == f"{change:+.1f}"
    assert row[5:] == [f"{target:.0f}", f"{gap:+.1f}"]


def test_the_employee_table_lists_reportable_employees_by_shrunk_nps(reporting_path, sections):
    con = duckdb.connect(str(restricted_path(reporting_path)), read_only=True)
    expected = con.execute(
        "select employee_id, responses from nps_by_employee where period_grain = 'month' and survey_type = 'transactional'"
        " and period_start = date '2026-06-01' and is_reportable order by nps_shrunk desc"
    ).fetchall()
    not_reportable = con.execute(
        "select count(*) from nps_by_employee where period_grain = 'month' and period_start = date '2026-06-01'"
        " and not is_reportable"
    ).fetchone()[0]
    con.close()

    rows = sections["employees"].parts[0].rows["month|transactional|2026-06-01"]

    assert not_reportable > 0  # the fixture has small groups to leave out
    assert [(row[0], int(row[2])) for row in rows] == expected


def test_charts_are_prepared_for_every_grain_and_survey_type_with_data(sections):
    assert sorted(sections["overall-trend"].parts[0].figures) == [
        "month|relational", "month|transactional", "quarter|relational", "quarter|transactional",
        "year|relational", "year|transactional",
    ]
    assert sorted(sections["survey-types"].parts[0].figures) == ["month", "quarter", "year"]
    # Relational responses have no process: nothing to draw, the page says so.
    assert sorted(sections["processes"].parts[0].figures) == ["month|transactional", "quarter|transactional", "year|transactional"]


def test_a_small_multiple_has_one_chart_per_product_on_a_shared_scale(sections):
    figure = sections["products"].parts[0].figures["month|transactional"]

    titles = [annotation["text"] for annotation in figure["layout"]["annotations"]]
    nps_lines = [trace for trace in figure["data"] if trace.get("mode") == "lines+markers"]
    ranges = {tuple(value["range"]) for name, value in figure["layout"].items() if name.startswith("yaxis")}

    assert titles == ["internet", "mobile", "tv"]
    assert [len(plotted(trace["x"])) for trace in nps_lines] == [6, 6, 6]
    assert len(ranges) == 1


def test_the_overall_trend_draws_the_interval_band_the_nps_and_the_target(reporting_path, sections):
    figure = sections["overall-trend"].parts[0].figures["month|transactional"]

    upper, lower, nps, target = figure["data"]

    assert lower["fill"] == "tonexty"
    assert plotted(nps["x"]) == [f"2026-0{m}-01" for m in range(1, 7)]
    assert plotted(target["y"]) == [40.0] * 6
    assert target["line"]["dash"] == "dash"


def test_later_stage_sections_say_not_available_without_their_marts(sections):
    assert {section_id: sections[section_id].unavailable for section_id in ("drivers", "customer-value", "follow-up")} == {
        "drivers": "Not available: the reporting database has no nps_drivers_by_process yet.",
        "customer-value": "Not available: the reporting database has no customer_value_by_nps yet.",
        "follow-up": "Not available: the reporting database has no detractor_follow_up yet.",
    }


def test_later_stage_sections_show_their_marts_when_they_exist(tmp_path):
    write_reporting_database(tmp_path / "reporting.duckdb", with_later_marts=True)

    data = load_duckdb(tmp_path / "reporting.duckdb", restricted_path(tmp_path / "reporting.duckdb"))
    sections = {section.id: section for section in report_sections(data)}

    value_chart, value_table = sections["customer-value"].parts
    bars = value_chart.figures[""]["data"]
    assert [plotted(bar["x"]) for bar in bars] == [["promoter", "passive", "detractor", "not_rated"]] * 2
    assert [annotation["text"] for annotation in value_chart.figures[""]["layout"]["annotations"]] == [
        "Churn rate 12 months", "Average revenue 12 months"]
    assert [row[:3] for row in value_table.rows[""]] == [
        ["promoter", "310", "0.07"], ["passive", "200", "0.12"], ["detractor", "120", "0.21"], ["not_rated", "90", "0.15"]]
    assert value_table.rows[""][3][3:5] == ["–", "–"]  # no interval for customers never rated
    follow_up_table = sections["follow-up"].parts[1]
    assert follow_up_table.columns == ["Process", "Overdue", "Open", "Done"]
    assert follow_up_table.rows[""] == [["(no process)", "0", "1", "0"], ["billing", "1", "2", "0"], ["support", "0", "0", "1"]]
    drivers = sections["drivers"].parts[0]
    assert drivers.rows == {
        "month|transactional|2026-06-01": [
            ["billing", "billing", "40", "26", "52 %", "5 %", "-52.5", "6.5"],
            ["support", "waiting time", "25", "12", "30 %", "10 %", "-28.0", "3.0"],
            ["billing", "price", "12", "6", "12 %", "–", "-25.0", "1.5"],
        ],
        "month|relational|2026-06-01": [["billing", "price", "9", "5", "40 %", "0 %", "-40.0", "4.0"]],
    }


def test_the_follow_up_backlog_is_read_as_counts_per_process_and_status(tmp_path):
    # detractor_follow_up has a row per detractor of the whole history: the report reads its counts.
    write_reporting_database(tmp_path / "reporting.duckdb", with_later_marts=True)

    follow_up = load_duckdb(tmp_path / "reporting.duckdb").detractor_follow_up

    assert follow_up.fillna({"process": "-"}).to_dict("records") == [
        {"process": "billing", "status": "open", "row_count": 2},
        {"process": "billing", "status": "overdue", "row_count": 1},
        {"process": "support", "status": "done", "row_count": 1},
        {"process": "-", "status": "open", "row_count": 1},
    ]


def test_the_page_is_self_contained(reporting_path):
    page = render_report(load_duckdb(reporting_path))

    assert re.findall(r"<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|@import", page) == []
    assert "Plotly" in page and len(page) > 3_000_000  # plotly.js inlined


def test_a_reporting_database_without_the_nps_marts_is_refused_with_what_is_missing(tmp_path):
    path = tmp_path / "reporting.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table nps_overall (period_grain varchar)")
    con.close()

    with pytest.raises(ReportDataError, match=r"missing nps_by_product, nps_by_process$"):
        load_duckdb(path)
    with pytest.raises(ReportDataError, match=r"reporting database not found \(run `nps refresh` first\)"):
        load_duckdb(tmp_path / "absent.duckdb")


def test_without_the_restricted_database_the_report_says_where_the_employee_results_are(reporting_path):
    data = load_duckdb(reporting_path)

    [employees] = [section for section in report_sections(data) if section.id == "employees"]

    assert data.nps_by_employee is None and data.nps_overall is not None
    assert employees.unavailable == (
        "Not available: employee-level results are in the restricted reporting database, "
        "which this report was not built from."
    )
    assert "restricted reporting database" in render_report(data)


@pytest.mark.postgres
def test_a_postgres_reporting_schema_reads_the_same_as_the_duckdb_file(reporting_path, postgres_database):
    copy_to_postgres(reporting_path, postgres_database)
    copy_to_postgres(restricted_path(reporting_path), postgres_database, schema="reporting_restricted")

    from_postgres = load_postgres(postgres_database)
    from_duckdb = load_duckdb(reporting_path, restricted_path(reporting_path))

    for mart in ("nps_overall", "nps_by_product", "nps_by_process", "nps_by_employee"):
        pd.testing.assert_frame_equal(getattr(from_postgres, mart), getattr(from_duckdb, mart), check_dtype=False)
    assert from_postgres.published_at == from_duckdb.published_at
    assert from_postgres.customer_value_by_nps is None
