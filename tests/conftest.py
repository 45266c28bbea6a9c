"""Shared fixtures: every test runs with its own Dagster home and no inherited config."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    monkeypatch.delenv("NPS_CONFIG", raising=False)
    dagster_home = tmp_path_factory.mktemp("dagster_home")
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    # Dagster keeps the entered instance's definitions-state storage in a context variable; a test
    # that leaves it pointing at a disposed instance would break every later definitions load in
    # this worker ("undefined DagsterInstance weakref"). Each test starts with none.
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    with set_defs_state_storage(None):
        yield


def write_config(home: Path, config: dict) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "nps.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


CSV_HEADER = "response_id,responded_at,score,comment,customer_id,customer_email,product,process,employee_id,survey_type,channel,language"


def write_csv(path: Path, rows: list[str], header: str = CSV_HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def postgres_database():
    """A fresh, empty PostgreSQL database on 127.0.0.1:5432, dropped afterwards; yields its DSN.

    Without a server the test is skipped locally and fails in CI (CI=true), where `make test`
    has started one."""
    import uuid

    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {error}")
    admin.autocommit = True
    name = f"nps_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f"create database {name}")
    try:
        yield f"host=127.0.0.1 port=5432 user=postgres dbname={name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"drop database if exists {name} with (force)")
        admin.close()
