"""`nps report` and the Dagster asset nps_report write data/report/index.html from the reporting database."""
from __future__ import annotations

import dagster as dg
from click.testing import CliRunner

from orchestration.cli import main
from orchestration.report import nps_report
from orchestration.resources import NpsSettings
from tests.conftest import write_config
from tests.report.reporting_fixture import write_reporting_database


def test_nps_report_writes_the_page_next_to_the_reporting_database(tmp_path):
    config = write_config(tmp_path, {"reporting": {"path": "data/reporting.duckdb"}})
    (tmp_path / "data").mkdir()
    write_reporting_database(tmp_path / "data" / "reporting.duckdb")

    result = CliRunner().invoke(main, ["report", "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert result.output == f"NPS report written: {tmp_path / 'data' / 'report' / 'index.html'}\n"
    page = (tmp_path / "data" / "report" / "index.html").read_text()
    assert "<title>NPS report</title>" in page
    assert '"E01"' in page  # the employee results, read from data/reporting_restricted.duckdb


def test_nps_report_without_a_reporting_database_says_to_refresh_first(tmp_path):
    config = write_config(tmp_path, {})

    result = CliRunner().invoke(main, ["report", "--config", str(config)])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'data' / 'reporting.duckdb'}: reporting database not found (run `nps refresh` first)\n"
    )


def test_the_nps_report_asset_builds_the_page_after_the_reporting_database(tmp_path):
    config = write_config(tmp_path, {})
    (tmp_path / "data").mkdir()
    write_reporting_database(tmp_path / "data" / "reporting.duckdb")

    result = dg.materialize([nps_report], resources={"nps": NpsSettings(config_path=str(config))})

    page = tmp_path / "data" / "report" / "index.html"
    assert result.success
    assert nps_report.asset_deps[dg.AssetKey("nps_report")] == {dg.AssetKey("reporting_database")}
    metadata = result.asset_materializations_for_node("nps_report")[0].metadata
    assert metadata["path"] == dg.MetadataValue.path(str(page))
    assert page.stat().st_size // 1024 == metadata["size_kb"].value
