"""Dagster's runs and events can live in PostgreSQL (dagster-postgres), configured from nps.yaml."""
import dagster as dg
import psycopg2
import pytest
import yaml

from orchestration.config import load_config
from orchestration.environment import prepare_environment
from tests.conftest import write_config


@dg.op
def say_hello() -> str:
    return "hello"


@dg.job
def hello_job():
    say_hello()


@pytest.mark.postgres
def test_a_runs_events_are_stored_in_postgresql(tmp_path, monkeypatch, postgres_database):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("DAGSTER_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/" + postgres_database.split("dbname=")[1])
    path = write_config(tmp_path, {"dagster": {"storage": "postgres", "postgres_url": "${DAGSTER_PG_URL}"}})

    home = prepare_environment(path, load_config(path))
    with dg.DagsterInstance.get() as instance:
        result = hello_job.execute_in_process(instance=instance)

    assert result.success
    assert home == tmp_path / "data" / "dagster"
    written = yaml.safe_load((home / "dagster.yaml").read_text())
    assert written["storage"] == {"postgres": {"postgres_url": {"env": "NPS_DAGSTER_PG_URL"}}}
    con = psycopg2.connect(postgres_database)
    with con.cursor() as cursor:
        cursor.execute("select count(*) from event_logs where run_id = %s", (result.run_id,))
        events = cursor.fetchone()[0]
        cursor.execute("select status from runs where run_id = %s", (result.run_id,))
        status = cursor.fetchone()[0]
    con.close()
    assert events > 5 and status == "SUCCESS"


def test_postgres_storage_without_a_url_is_a_config_error(tmp_path):
    from orchestration.config import ConfigError

    with pytest.raises(ConfigError, match="storage: postgres needs postgres_url"):
        load_config(write_config(tmp_path, {"dagster": {"storage": "postgres"}}))
