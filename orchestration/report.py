"""Publishing for readers: the visual NPS report and the dbt documentation site, rebuilt after every
publish of the reporting database."""
import json
import os
from pathlib import Path

import dagster as dg

from orchestration.config import NpsConfig
from orchestration.resources import NpsSettings
from reporting.catalog import publish_dbt_docs
from reporting.report import load_duckdb, load_postgres, write_report


def report_path(config: NpsConfig) -> Path:
    return config.data_dir / "report" / "index.html"


def dbt_docs_dir(config: NpsConfig) -> Path:
    return config.data_dir / "docs" / "dbt"


def build_report(config: NpsConfig) -> Path:
    """Reads the reporting database (DuckDB file, or the `reporting` schema on PostgreSQL) and the
    restricted one with the employee results, and writes the page: an internal page for managers."""
    if config.warehouse.type == "postgres":
        data = load_postgres(config.warehouse.dsn)
    else:
        data = load_duckdb(config.reporting.path, config.reporting.restricted_path)
    return write_report(data, report_path(config))


@dg.asset(
    key="nps_report",
    group_name="publish",
    deps=[dg.AssetKey("reporting_database")],
    description=(
        "The NPS report for management: data/report/index.html, one self-contained page (works offline);"
        " it includes the employee results of the restricted reporting database."
    ),
    kinds={"plotly", "html"},
)
def nps_report(nps: NpsSettings) -> dg.MaterializeResult:
    path = build_report(nps.load())
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "size_kb": path.stat().st_size // 1024}
    )


@dg.asset(
    key="dbt_docs",
    group_name="publish",
    deps=[dg.AssetKey("reporting_database")],
    description="The dbt documentation site (models, columns, lineage) in data/docs/dbt/index.html.",
    kinds={"dbt", "html"},
    pool="warehouse",  # dbt reads the warehouse's catalog
    # By key, and dbt imported in the body: `nps report` (which needs only build_report) does not load dbt.
    required_resource_keys={"nps", "dbt"},
)
def dbt_docs(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from orchestration.dbt import dbt_environment, dbt_vars

    config = context.resources.nps.load()
    dbt = context.resources.dbt
    os.environ.update(dbt_environment(config))
    target = config.data_dir / "dbt_target"  # the build's target folder: dbt's partial parsing is reused
    dbt.cli(["docs", "generate", "--static", "--vars", json.dumps(dbt_vars(config))], target_path=target).wait()
    published = publish_dbt_docs(target, dbt_docs_dir(config))
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(published[0]))})


def materialize_dbt_docs(config_path: Path) -> Path:
    """`nps docs`: the dbt_docs asset, run on its own (it is not part of the nightly job)."""
    from orchestration.config import load_config
    from orchestration.dbt import dbt_resource
    from orchestration.environment import prepare_environment

    config = load_config(config_path)
    prepare_environment(config_path, config)
    with dg.DagsterInstance.get() as instance:
        dg.materialize(
            [dbt_docs],
            instance=instance,
            resources={"nps": NpsSettings(config_path=str(config_path)), "dbt": dbt_resource()},
        )
    return dbt_docs_dir(config) / "index.html"
