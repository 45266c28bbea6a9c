"""A thin wrapper over GX Core 1.x: validate a pandas DataFrame against a suite and report, per
failed expectation, what was observed and a few offending values.

GX's SQL path is unreliable on DuckDB, so tables are read into pandas first. GX takes seconds to
import, hence the import inside the function.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass
class ExpectationOutcome:
    expectation: str  # e.g. expect_column_values_to_be_between(score)
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    examples: list = field(default_factory=list)


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]


def validate_frame(frame: pd.DataFrame, suite_name: str, expectations: list) -> SuiteOutcome:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch_definition = (
        context.data_sources.add_pandas("frames")
        .add_dataframe_asset(name=suite_name)
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
    )
    return SuiteOutcome(
        suite=suite_name, rows=len(frame), outcomes=[_outcome(r) for r in result.results]
    )


def _outcome(result) -> ExpectationOutcome:
    config = result.expectation_config
    column = config.kwargs.get("column") or config.kwargs.get("column_list")
    details = result.result or {}
    return ExpectationOutcome(
        expectation=f"{config.type}({column})" if column else config.type,
        success=bool(result.success),
        observed=_plain(details.get("observed_value")),
        unexpected_count=details.get("unexpected_count"),
        examples=[_plain(v) for v in details.get("partial_unexpected_list") or []],
    )


def _plain(value: Any) -> Any:
    """JSON-friendly values for Dagster metadata."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
