"""The value models as assets: read customer_value_cohorts (built by dbt), fit (attribution/), and
write customer_value_by_nps, nps_value_model and revenue_at_risk into the warehouse schema `marts`,
next to the NPS marts, so publishing copies them to reporting (ATTRIBUTION_TABLES)."""
import dagster as dg
import pandas as pd
from dagster_dbt import get_asset_key_for_model

from attribution.population import fitted_cohorts_sql, population_sql, with_population_figures
from ingestion.warehouse import Warehouse, open_warehouse
from orchestration.dbt import nps_dbt_models
from orchestration.resources import NpsSettings

COHORTS_RELATION = "customers.customer_value_cohorts"
VALUE_SCHEMA = "marts"
_NUMBER, _TEXT, _COUNT = "double precision", "varchar", "bigint"
# The tables written, with their column types: what the publish step copies to reporting.
ATTRIBUTION_TABLES: dict[str, dict[str, str]] = {
    "customer_value_by_nps": {
        "nps_category": _TEXT, "customers": _COUNT, "customer_quarters": _COUNT, "customers_latest_quarter": _COUNT,
        "retention_12_months": _NUMBER, "retention_12_months_ci_low": _NUMBER, "retention_12_months_ci_high": _NUMBER,
        "churn_rate_12_months": _NUMBER, "churn_rate_12_months_ci_low": _NUMBER, "churn_rate_12_months_ci_high": _NUMBER,
        "average_revenue_12_months": _NUMBER, "average_revenue_12_months_ci_low": _NUMBER,
        "average_revenue_12_months_ci_high": _NUMBER, "customer_quarters_followed_12_months": _COUNT,
    },
    "nps_value_model": {
        "model": _TEXT, "term": _TEXT, "is_category_term": "boolean", "coefficient": _NUMBER, "std_error": _NUMBER,
        "effect_measure": _TEXT, "effect": _NUMBER, "effect_ci_low": _NUMBER, "effect_ci_high": _NUMBER,
        "p_value": _NUMBER, "category_p_value": _NUMBER, "n_observations": _COUNT, "n_customers": _COUNT,
        "outcome": _TEXT, "method": _TEXT, "fit_statistic": _TEXT, "fit_value": _NUMBER,
    },
    "revenue_at_risk": {
        "nps_category": _TEXT, "as_of_date": "date", "customers": _COUNT, "customers_without_revenue_history": _COUNT,
        "annual_revenue": _NUMBER, "revenue_share": _NUMBER, "survey_coverage_of_revenue": _NUMBER,
        "expected_churned_revenue_12_months": _NUMBER, "expected_churned_revenue_12_months_ci_low": _NUMBER,
        "expected_churned_revenue_12_months_ci_high": _NUMBER,
    },
}  # fmt: skip


def write_value_tables(warehouse: Warehouse, tables: dict[str, pd.DataFrame]) -> None:
    """Replace the value tables in one transaction; a table's columns must be exactly the declared ones."""
    for name, frame in tables.items():
        declared = ATTRIBUTION_TABLES[name]
        if list(frame.columns) != list(declared):
            raise ValueError(f"{name}: expected columns {list(declared)}, found {list(frame.columns)}")
    with warehouse.transaction():
        warehouse.execute(f"create schema if not exists {VALUE_SCHEMA}")
        for name, frame in tables.items():
            columns = ATTRIBUTION_TABLES[name]
            warehouse.load_temp_table(f"_{name}", frame, columns)
            warehouse.execute(f"drop table if exists {VALUE_SCHEMA}.{name}")
            warehouse.execute(f"create table {VALUE_SCHEMA}.{name} as select * from _{name}")


def empty_value_tables() -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame({column: [] for column in columns}) for name, columns in ATTRIBUTION_TABLES.items()}


@dg.multi_asset(
    name="customer_value_models",
    specs=[
        dg.AssetSpec(
            [VALUE_SCHEMA, name],
            group_name="value",
            deps=[get_asset_key_for_model([nps_dbt_models], "customer_value_cohorts")],
            kinds={"python", "statsmodels"},
            description=description,
        )
        for name, description in (
            ("customer_value_by_nps", "Per NPS category: customers, 12-month retention, churn rate and revenue, with 95 % intervals."),
            ("nps_value_model", "Every coefficient of the churn, revenue and Cox models, and the value of turning a detractor into a promoter."),
            ("revenue_at_risk", "Annual revenue per latest NPS category, survey coverage of revenue, revenue expected to churn."),
        )
    ],
    pool="warehouse",
)
def customer_value_models(context: dg.AssetExecutionContext, nps: NpsSettings):
    # statsmodels and scipy take seconds to import: only a run that fits pays for them
    from attribution.summary import unfit_reason, value_tables

    config = nps.load()
    with open_warehouse(config.warehouse) as warehouse:
        cohorts = warehouse.query_frame(fitted_cohorts_sql(COHORTS_RELATION))
        population = warehouse.query_frame(population_sql(COHORTS_RELATION))
    reason = unfit_reason(cohorts)
    if reason is None:
        tables = with_population_figures(value_tables(cohorts), population)
    else:
        context.log.warning(f"value models not fitted: {reason}; writing empty value tables")
        tables = empty_value_tables()
    with open_warehouse(config.warehouse) as warehouse:
        write_value_tables(warehouse, tables)
    for name, frame in tables.items():
        yield dg.MaterializeResult(
            asset_key=[VALUE_SCHEMA, name],
            metadata={
                "rows": len(frame),
                "customer_quarters": int(population["customer_quarters"].sum()),
                "customer_quarters_fitted": len(cohorts),
                "not_fitted_reason": reason or "",
                "relation": f"{VALUE_SCHEMA}.{name}",
            },
        )
