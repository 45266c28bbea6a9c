from pathlib import Path

import pytest

from orchestration.config import ConfigError, find_config_file, load_config
from tests.conftest import write_config


def test_relative_paths_are_read_from_the_config_files_folder(tmp_path):
    path = write_config(tmp_path, {"sources": [{"name": "exports", "type": "csv", "path": "exports/*.csv"}]})

    config = load_config(path)

    assert config.warehouse.path == tmp_path / "data" / "warehouse.duckdb"
    assert config.reporting.path == tmp_path / "data" / "reporting.duckdb"
    assert config.sources[0].path == tmp_path / "exports" / "*.csv"
    assert config.sources[0].survey_type == "transactional"
    assert config.reporting.timezone == "UTC" and config.reporting.min_responses == 30


def test_an_unknown_key_is_an_error_naming_the_key_and_the_file(tmp_path):
    path = write_config(tmp_path, {"reporting": {"timezone": "UTC", "min_respones": 10}})

    with pytest.raises(ConfigError) as error:
        load_config(path)

    assert str(path) in str(error.value)
    assert "reporting.min_respones: Extra inputs are not permitted" in str(error.value)


def test_a_bad_value_is_an_error_naming_the_key_and_the_value(tmp_path):
    path = write_config(
        tmp_path,
        {
            "reporting": {"timezone": "Mars/Olympus_Mons", "min_responses": 0},
            "sources": [{"name": "x", "type": "csv", "path": "a.csv", "survey_type": "yearly"}],
        },
    )

    with pytest.raises(ConfigError) as error:
        load_config(path)

    message = str(error.value)
    assert "reporting.timezone" in message and "Mars/Olympus_Mons" in message
    assert "reporting.min_responses: Input should be greater than or equal to 1" in message
    assert "sources[0].survey_type" in message and "'yearly'" in message


def test_an_unknown_source_type_and_repeated_names_are_errors(tmp_path):
    unknown = write_config(tmp_path / "a", {"sources": [{"name": "s", "type": "surveyzilla"}]})
    repeated = write_config(
        tmp_path / "b",
        {"sources": [{"name": "s", "type": "csv", "path": "a.csv"}, {"name": "s", "type": "csv", "path": "b.csv"}]},
    )

    with pytest.raises(ConfigError, match="sources\\[0\\].*'surveyzilla'"):
        load_config(unknown)
    with pytest.raises(ConfigError, match="source names must be unique; repeated: s"):
        load_config(repeated)


def test_environment_references_are_replaced_and_a_missing_one_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("NPS_TEST_EXPORTS", "from-env")
    path = write_config(
        tmp_path,
        {"sources": [{"name": "s", "type": "csv", "path": "${NPS_TEST_EXPORTS}/*.csv"}],
         "reporting": {"timezone": "${NPS_TEST_TZ:-Europe/Amsterdam}"}},
    )

    config = load_config(path)

    assert config.sources[0].path == tmp_path / "from-env" / "*.csv"
    assert config.reporting.timezone == "Europe/Amsterdam"

    monkeypatch.delenv("NPS_TEST_EXPORTS")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.path: environment variable NPS_TEST_EXPORTS is not set"):
        load_config(path)


def test_a_missing_file_and_broken_yaml_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nps.yaml")
    (tmp_path / "nps.yaml").write_text("sources: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(tmp_path / "nps.yaml")


def test_config_is_found_by_flag_then_environment_then_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_config_file() == tmp_path / "nps.yaml"
    monkeypatch.setenv("NPS_CONFIG", str(tmp_path / "env.yaml"))
    assert find_config_file() == tmp_path / "env.yaml"
    assert find_config_file(Path("flag.yaml")) == tmp_path / "flag.yaml"


def test_follow_up_settings_reach_dbt_as_vars(tmp_path):
    from orchestration.dbt import dbt_vars

    path = write_config(tmp_path, {"follow_up": {"categories": ["detractor", "passive"], "sla_hours": {"relational": 120}}})

    variables = dbt_vars(load_config(path))

    assert variables["follow_up_categories"] == ["detractor", "passive"]
    assert variables["follow_up_sla_hours"] == {"transactional": 48, "relational": 120}
    assert variables["follow_up_alert_min_revenue"] == 10_000
    with pytest.raises(ConfigError, match=r"follow_up\.categories\[0\]"):
        load_config(write_config(tmp_path / "bad", {"follow_up": {"categories": ["promoter"]}}))
