"""The visual NPS report: a self-contained HTML page (data/report/index.html) built from the
reporting database. `load_duckdb`/`load_postgres` read the marts, `write_report` writes the page."""
from reporting.report.build import render_report, write_report
from reporting.report.data import ReportData, ReportDataError, load_duckdb, load_postgres

__all__ = ["ReportData", "ReportDataError", "load_duckdb", "load_postgres", "render_report", "write_report"]
