"""A thin wrapper over GX Core 1.x (there is no maintained Dagster integration for 1.x).

A suite validates a *small* frame computed in the warehouse (a profile, an aggregate, the rows of a
latest load), never a whole table pulled into pandas: at ten million responses that would not fit.
GX's SQL path is unreliable on DuckDB, so GX stays on pandas. For each failed expectation the
outcome holds what was observed, the frame rows that broke it and, where the rule names the
condition, a few offending rows of the checked table itself.

GX takes seconds to import: it is imported inside the functions that need it.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

# warehouse.query_frame(sql, params): how suites read the warehouse
Query = Callable[..., pd.DataFrame]

SHOWN_ROWS = 5  # frame rows and offending rows kept per failed expectation
DOCS_SITE = "quality"


@dataclass(frozen=True)
class Rule:
    name: str  # what must hold, e.g. "score_in_range"
    expectation: Any  # a GX expectation on the suite's frame
    # SQL condition on the checked relation selecting the rows that break the rule, if it has one.
    offending: str | None = None


@dataclass
class FrameSuite:
    name: str  # GX suite name, e.g. "raw.csv__responses.values"
    frame: pd.DataFrame
    rules: list[Rule]
    relation: str | None = None  # where `Rule.offending` rows are looked up
    shown_columns: str = "*"  # the columns of an offending row worth reading
    # Skipped rules and why (a column that does not exist yet), shown in the check's metadata.
    notes: list[str] = field(default_factory=list)


@dataclass
class ExpectationOutcome:
    suite: str
    rule: str
    expectation: str  # e.g. expect_column_values_to_be_between(score)
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    unexpected: list[dict] = field(default_factory=list)  # frame rows that broke it
    offending_rows: list[dict] = field(default_factory=list)  # rows of the checked relation

    def summary(self) -> str:
        if self.unexpected:
            found = f"{self.unexpected_count} unexpected: {_short(self.unexpected[:2])}"
        else:
            found = f"observed {_short(self.observed)}"
        return f"{self.rule} [{self.expectation}] {found}"


@dataclass
class CheckOutcome:
    outcomes: list[ExpectationOutcome]
    frames: dict[str, int]  # suite -> rows validated
    notes: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    def metadata(self) -> dict[str, Any]:
        """Plain values for Dagster metadata: enough to act on without opening a terminal."""
        return {
            "expectations": len(self.outcomes),
            "failed": len(self.failures),
            "failed_expectations": [_plain(vars(failure)) for failure in self.failures],
            "summary": "; ".join(failure.summary() for failure in self.failures) or "all passed",
            "frames_validated": self.frames,
            "notes": self.notes,
        }


def run_suites(
    suites: list[FrameSuite],
    project_dir: Path,
    docs_dir: Path | None = None,
    fetch: Callable[[str], pd.DataFrame] | None = None,
) -> CheckOutcome:
    """Validate each suite's frame; `fetch(sql)` looks up offending rows; Data Docs go to docs_dir."""
    context = _context(project_dir, docs_dir)
    outcomes: list[ExpectationOutcome] = []
    for suite in suites:
        result = _validate(context, suite)
        rules = {rule.name: rule for rule in suite.rules}
        for expectation_result in result.results:
            outcome = _outcome(suite, expectation_result)
            offending = rules[outcome.rule].offending
            if not outcome.success and offending and fetch and suite.relation:
                rows = fetch(
                    f"select {suite.shown_columns} from {suite.relation} where {offending} limit {SHOWN_ROWS}"
                )
                outcome.offending_rows = _records(rows)
            outcomes.append(outcome)
    if docs_dir is not None:
        build_docs(context, [suite.name for suite in suites])
    return CheckOutcome(
        outcomes=outcomes,
        frames={suite.name: len(suite.frame) for suite in suites},
        notes=[note for suite in suites for note in suite.notes],
    )


def build_docs(context, suite_names: list[str]) -> None:
    """Render the pages of these suites and their latest results, and the index of every suite's
    latest result. Rendering only what changed keeps a run's cost per check flat (rebuilding the
    whole site each time made a run quadratic in its checks); the index drops pages whose result is
    gone from the store, so superseded results leave no pages behind."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    names = set(suite_names)
    results = [key for key in context.validation_results_store.list_keys() if key.expectation_suite_identifier.name in names]
    suites = [ExpectationSuiteIdentifier(name=name) for name in sorted(names)]
    _site_builder(context).build(resource_identifiers=suites + results)


# One file context per project folder and process: opening one reads and writes its config files,
# which cost a good part of a check when every check of a run opened its own.
_CONTEXTS: dict[tuple[str, str | None], Any] = {}
# One Data Docs builder per context: `context.build_data_docs` makes a new one on every call, whose
# views compile GX's Jinja templates again (some 50 templates: most of a check's time).
_SITE_BUILDERS: dict[int, tuple[Any, Any]] = {}  # id(context) -> (context, its builder)


def _context(project_dir: Path, docs_dir: Path | None):
    key = (str(project_dir), None if docs_dir is None else str(docs_dir))
    if key not in _CONTEXTS or not Path(project_dir).exists():
        _CONTEXTS[key] = _open_context(project_dir, docs_dir)
    return _CONTEXTS[key]


def _site_builder(context):
    from great_expectations.render.renderer.site_builder import SiteBuilder

    cached = _SITE_BUILDERS.get(id(context))
    if cached is None or cached[0] is not context:
        site_config = {k: v for k, v in context.variables.data_docs_sites[DOCS_SITE].items() if k != "class_name"}
        cached = (context, SiteBuilder(data_context=context, site_name=DOCS_SITE, **site_config))
        _SITE_BUILDERS[id(context)] = cached
    return cached[1]


def _open_context(project_dir: Path, docs_dir: Path | None):
    import great_expectations as gx

    # A file context: results of every check of a run land in one store, so Data Docs list them all.
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    context.variables.progress_bars = {"globally": False}
    sites = context.get_config().data_docs_sites or {}
    if docs_dir is not None and sites.get(DOCS_SITE, {}).get("store_backend", {}).get(
        "base_directory"
    ) != str(docs_dir):
        if DOCS_SITE in sites:
            context.delete_data_docs_site(DOCS_SITE)
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    if "local_site" in sites:
        context.delete_data_docs_site("local_site")
    return context


def _validate(context, suite: FrameSuite):
    import great_expectations as gx

    source = context.data_sources.add_or_update_pandas("frames")
    asset = next((a for a in source.assets if a.name == suite.name), None) or source.add_dataframe_asset(
        name=suite.name
    )
    batch = next((b for b in asset.batch_definitions if b.name == "whole"), None) or (
        asset.add_batch_definition_whole_dataframe("whole")
    )
    expectations = []
    for rule in suite.rules:
        rule.expectation.meta = {**(rule.expectation.meta or {}), "rule": rule.name}
        expectations.append(rule.expectation)
    gx_suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite.name, expectations=expectations))
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    # Keep only the latest result per suite: Dagster holds the history, the docs show the state.
    store = context.validation_results_store
    for key in store.list_keys():
        if key.expectation_suite_identifier.name == suite.name:
            store.remove_key(key)
    return validation.run(
        batch_parameters={"dataframe": suite.frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": SHOWN_ROWS},
    )


def _outcome(suite: FrameSuite, result) -> ExpectationOutcome:
    config = result.expectation_config
    column = config.kwargs.get("column") or config.kwargs.get("column_list")
    details = result.result or {}
    indexes = details.get("partial_unexpected_index_list") or []
    return ExpectationOutcome(
        suite=suite.name,
        rule=(config.meta or {}).get("rule", config.type),
        expectation=f"{config.type}({column})" if column else config.type,
        success=bool(result.success),
        observed=_plain(details.get("observed_value")),
        unexpected_count=details.get("unexpected_count"),
        unexpected=_records(suite.frame.loc[[i for i in indexes if i in suite.frame.index]]),
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    return [_plain(row) for row in frame.head(SHOWN_ROWS).to_dict(orient="records")]


def _plain(value: Any) -> Any:
    """JSON-friendly values for Dagster metadata."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return [_plain(v) for v in items] if isinstance(items, list) else _plain(items)
    if value is pd.NaT or value is pd.NA:
        return None
    return str(value)


def _short(value: Any, limit: int = 160) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

# Per source, the batch landed last (DISTINCT ON reads the same on DuckDB and PostgreSQL).
LATEST_BATCH_SQL = (
    "select distinct on (_source) _source, _batch_id as batch_id from {table} order by _source, _loaded_at desc"
)
