"""The nightly refresh after the world has moved on by one day (its first day dropped, one day added,
into a new month and quarter): the vendors serve every record under the id they served it before, so
the incremental refresh lands the new day, nothing twice, its dbt tests pass, and the models
incremental by period hold what a full rebuild of the same raw data holds."""
import csv
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from ingestion.emulators import start_emulator
from ingestion.synthetic import WorldSpec, write_world
from orchestration.config import load_config
from orchestration.dbt import dbt_vars
from orchestration.demo import demo_config, write_csv_exports
from orchestration.refresh import run_refresh
from tests.dbt.warehouses import duckdb_environment, run_dbt

SPEC = WorldSpec(seed=5, responses=900, end_date=date(2026, 3, 31), months=3)
SURVEY_SOURCES = ("qualtrics", "surveymonkey", "typeform", "delighted", "csv")
CRM_TABLES = {"hubspot__companies": "customers", "hubspot__contacts": "contacts", "hubspot__deals": "deals"}
PERIOD_MODELS = (
    "intermediate.int_nps_monthly_counts", "intermediate.int_nps_periods",
    "marts.nps_overall", "marts.nps_by_product", "marts.nps_by_process", "marts.nps_by_employee",
)  # fmt: skip
RUN_TIME_COLUMNS = {"built_at", "last_conformed_at", "previous_customer_id"}


def world_keys(world: Path) -> dict[str, set[str]]:
    """Record keys of the world, per survey tool (responses) and per CRM kind."""
    keys: dict[str, set[str]] = {name: set() for name in (*SURVEY_SOURCES, *CRM_TABLES.values())}
    for path in sorted((world / "responses").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                keys[row["survey_tool"]].add(row["response_id"])
    for kind, key in (("customers", "customer_id"), ("contacts", "contact_id"), ("deals", "deal_id")):
        with (world / "crm" / f"{kind}.csv").open(newline="", encoding="utf-8") as handle:
            keys[kind] = {row[key] for row in csv.DictReader(handle)}
    return keys


def generate_and_refresh(home: Path, end_date: date):
    world = home / "world"
    shutil.rmtree(world, ignore_errors=True)
    write_world(WorldSpec(seed=SPEC.seed, responses=SPEC.responses, end_date=end_date, months=SPEC.months), world)
    write_csv_exports(world)
    with start_emulator(world) as emulator:  # a fresh emulator, as after a night
        config = home / "nps.yaml"
        config.write_text(yaml.safe_dump(demo_config(emulator.base_url), sort_keys=False), encoding="utf-8")
        outcome = run_refresh(config)
    assert outcome.success, (outcome.failed_steps, outcome.failed_checks)
    return world_keys(world)



def period_rows(warehouse: Path, relation: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [name for (name,) in con.execute(f"select column_name from (describe {relation})").fetchall()]
        kept = [c for c in columns if c not in RUN_TIME_COLUMNS]
        rows = con.execute(f"select {', '.join(kept)} from {relation}").fetchall()
    # Sums of doubles (nps_weighted) may differ in the last bits with the order of addition.
    rounded = [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]
    return sorted(rounded, key=repr)


@pytest.mark.slow
def test_the_nightly_after_one_more_day_lands_the_new_day_once_and_builds_as_a_full_rebuild_would(tmp_path):
    before = generate_and_refresh(tmp_path, SPEC.end_date)
    after = generate_and_refresh(tmp_path, SPEC.end_date + timedelta(days=1))

    new_responses = sum(len(after[tool] - before[tool]) for tool in SURVEY_SOURCES)
    dropped_responses = sum(len(before[tool] - after[tool]) for tool in SURVEY_SOURCES)
    assert new_responses > 0 and dropped_responses > 0, "the world should have moved by one day"
    # The vendors do not forget what the world's window dropped: raw holds both worlds' records,
    # each once (an id that moved to another record would show as fewer or more rows).
    nightly = tmp_path / "data" / "warehouse.duckdb"
    con = duckdb.connect(str(nightly), read_only=True)
    try:
        landed = {tool: con.execute(f"select count(*) from raw.{tool}__responses").fetchone()[0] for tool in SURVEY_SOURCES}
        crm = {kind: con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table, kind in CRM_TABLES.items()}
    finally:
        con.close()
    assert landed == {tool: len(before[tool] | after[tool]) for tool in SURVEY_SOURCES}
    assert crm == {kind: len(before[kind] | after[kind]) for kind in CRM_TABLES.values()}

    # The models incremental by period hold what a full rebuild of the same raw data holds.
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(nightly, rebuilt)
    variables = json.dumps(dbt_vars(load_config(tmp_path / "nps.yaml")))
    run_dbt(["run", "--full-refresh", "--vars", variables], duckdb_environment(rebuilt), tmp_path / "dbt_target")
    assert [relation for relation in PERIOD_MODELS if period_rows(nightly, relation) != period_rows(rebuilt, relation)] == []
