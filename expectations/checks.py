"""Which suites make up each quality check, and whether a failure blocks publishing.

orchestration/quality.py turns each `QualityCheck` into a Dagster asset check on the asset named
here; this module decides what is checked and how hard.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from expectations.keys import unique_key
from expectations.marts import nps_mart
from expectations.responses import latest_loads_sql, response_values, unmatched_customers
from expectations.runner import FrameSuite, Query
from expectations.thresholds import QualityConfig
from expectations.volume import daily_volume, freshness


@dataclass(frozen=True)
class Scope:
    """What a check reads: the warehouse (`query(sql, params)`), the thresholds and the clock."""

    query: Query
    quality: QualityConfig
    timezone: str  # reporting timezone: days are cut there
    now: datetime

    @property
    def future_from(self) -> datetime:
        return self.now + timedelta(minutes=self.quality.clock_skew_minutes)

    @property
    def today(self):
        return self.now.astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class QualityCheck:
    name: str
    description: str
    blocking: bool  # a failure stops publishing (ERROR); otherwise it is shown (WARN)
    suites: Callable[[Scope], list[FrameSuite]]


def raw_response_checks(raw_table: str, sources: list[str], quality: QualityConfig) -> list[QualityCheck]:
    """On a raw responses table (raw.<source type>__responses), for the configured sources."""
    return [
        QualityCheck(
            name="gx_raw_responses_valid",
            description=f"{raw_table}: score 0..10, survey type accepted, responded_at not in the future",
            blocking=True,
            suites=lambda scope: [
                response_values(scope.query, raw_table, scope.future_from, "_source", "response_id")
            ],
        ),
        QualityCheck(
            name="gx_daily_volume",
            description=(
                f"{raw_table}: each day of a source's latest load within "
                f"{quality.daily_volume.min_ratio}..{quality.daily_volume.max_ratio} x the median day of "
                f"the trailing {quality.daily_volume.trailing_days} days"
            ),
            blocking=True,
            suites=lambda scope: [
                daily_volume(scope.query, raw_table, scope.timezone, scope.quality.daily_volume, scope.today)
            ],
        ),
        QualityCheck(
            name="gx_source_freshness",
            description=f"{raw_table}: newest response and last load of each source recent enough",
            blocking=quality.freshness.blocking,
            suites=lambda scope: [freshness(scope.query, raw_table, sources, scope.quality.freshness, scope.now)],
        ),
    ]


def conformed_responses_check(relation: str, customers: str | None, raw_tables: list[str]) -> QualityCheck:
    """customers: the customer database's relation, if the project has one."""
    return QualityCheck(
        name="gx_conformed_responses_valid",
        description=(
            f"{relation}: response ids present and unique, values valid, share of responses without "
            "a matched customer below quality.unmatched_customers.max_share"
        ),
        blocking=True,
        suites=lambda scope: [
            response_values(scope.query, relation, scope.future_from),
            unique_key(scope.query, relation, "response_id"),
            unmatched_customers(
                scope.query, relation, customers, latest_loads_sql(raw_tables), scope.quality.unmatched_customers
            ),
        ],
    )


def customers_check(relation: str) -> QualityCheck:
    return QualityCheck(
        name="gx_customers_valid",
        description=f"{relation}: customer ids present and unique",
        blocking=True,
        suites=lambda scope: [unique_key(scope.query, relation, "customer_id")],
    )


def nps_mart_check(relation: str) -> QualityCheck:
    return QualityCheck(
        name="gx_nps_mart_valid",
        description=(
            f"{relation}: NPS within [-100, 100], counts add up, every group has responses, "
            "the interval of every reportable group contains its NPS"
        ),
        blocking=True,
        suites=lambda scope: [nps_mart(scope.query, relation)],
    )
