"""The marts the raw fixture must produce, computed in Python from what each fixture response says
it is (its local day, its customer, whether a later copy replaces it) - not from the dbt models."""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.dbt import nps_reference as ref
from tests.dbt.raw_fixture import (
    EXPECTED_EMPLOYEE_PROCESSES,
    MIN_RESPONSES,
    REPORTING_TIMEZONE,
    RESPONSES,
    expected_active_segments,
)
from tests.dbt.warehouses import DBT_PROJECT_DIR

CUSTOMER_TYPES = {"C001": "consumer", "C002": "business", "C003": "consumer", "C004": "business"}
MART_KEYS = {
    "nps_overall": (),
    "nps_by_product": ("product",),
    "nps_by_process": ("process",),
    "nps_by_employee": ("employee_id",),
}


@dataclass(frozen=True)
class Conformed:
    source: str
    response_id: str
    local_date: date
    survey_type: str
    product: str | None
    process: str | None
    employee_id: str | None
    customer_id: str | None
    counts: ref.Counts

    @property
    def segment(self) -> str:
        return CUSTOMER_TYPES[self.customer_id] if self.customer_id else "unknown"


def conformed_responses() -> list[Conformed]:
    zone = ZoneInfo(REPORTING_TIMEZONE)
    return [
        Conformed(
            source=r.source,
            response_id=r.response_id,
            local_date=datetime.fromisoformat(r.responded_at + "+00:00").astimezone(zone).date(),
            survey_type=r.survey_type,
            product=r.product,
            process=r.process,
            employee_id=r.employee_id,
            customer_id=r.expected_customer,
            counts=ref.counts_of([r.score]),
        )
        for r in RESPONSES
        if not r.superseded
    ]


def _targets() -> dict[tuple[str, str], list[tuple[date, float]]]:
    """(scope, key) -> [(target date, target NPS)] sorted, from the seed."""
    targets: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
    with open(DBT_PROJECT_DIR / "seeds" / "nps_targets.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            scope = "product" if row["product"] else "process" if row["process"] else "overall"
            key = row["product"] or row["process"] or "overall"
            targets[(scope, key)].append((date.fromisoformat(row["target_date"]), float(row["target_nps"])))
    return {k: sorted(v) for k, v in targets.items()}


def _target_in_force(targets: list[tuple[date, float]], period_start: date) -> tuple[date, float] | None:
    if not targets:
        return None
    upcoming = [t for t in targets if t[0] >= period_start]
    return upcoming[0] if upcoming else targets[-1]


Cell = tuple[date, str, str]  # period start, survey type, group key
ZERO = ref.Counts(0, 0, 0)


def expected_mart(mart: str) -> list[dict[str, Any]]:
    responses = conformed_responses()
    key_column = MART_KEYS[mart][0] if MART_KEYS[mart] else None
    windows = _measurement_windows(responses)
    targets = _targets()
    rows = []
    for grain in ref.GRAINS:
        cells, segments = _aggregate(responses, grain, key_column)
        for (start, survey_type, key), counts in sorted(cells.items()):
            previous = cells.get((ref.shift(grain, start, -1), survey_type, key))
            baseline = _baseline(cells, grain, survey_type, key, windows[survey_type])
            process = EXPECTED_EMPLOYEE_PROCESSES.get(key) if mart == "nps_by_employee" else None
            target = _target_in_force(targets.get(_target_scope(mart, key, process), []), start)
            lower, upper = ref.adjusted_wald(counts)
            rows.append({
                "period_grain": grain, "period_start": start, "survey_type": survey_type,
                **({key_column: key} if key_column else {}),
                **({"process": process} if mart == "nps_by_employee" else {}),
                "responses": counts.responses, "promoters": counts.promoters,
                "passives": counts.passives, "detractors": counts.detractors,
                "nps": ref.nps(counts), "nps_margin_of_error": ref.margin_of_error(counts),
                "nps_ci_lower": lower, "nps_ci_upper": upper,
                "is_reportable": counts.responses >= MIN_RESPONSES,
                "nps_previous": previous and ref.nps(previous),
                "nps_change": previous and ref.nps(counts) - ref.nps(previous),
                "change_is_significant": ref.change_is_significant(counts, previous),
                "nps_weighted": _weighted(segments[(start, survey_type, key)], start) if survey_type == "relational" else None,
                "baseline_nps": baseline,
                "target_nps": target and target[1], "target_date": target and target[0],
                "gap_to_target": target and target[1] - ref.nps(counts),
            })  # fmt: skip
    if mart == "nps_by_employee":
        _add_shrinkage(rows)
    return rows


def _aggregate(
    responses: list[Conformed], grain: str, key_column: str | None
) -> tuple[dict[Cell, ref.Counts], dict[Cell, dict[str, ref.Counts]]]:
    """Counts per cell, and per cell and customer segment; responses without the key are left out."""
    cells: dict[Cell, ref.Counts] = defaultdict(lambda: ZERO)
    segments: dict[Cell, dict[str, ref.Counts]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in responses:
        key = "overall" if key_column is None else getattr(r, key_column)
        if key is None:
            continue
        cell = (ref.period_start(grain, r.local_date), r.survey_type, key)
        cells[cell] += r.counts
        segments[cell][r.segment] += r.counts
    return cells, segments


def _measurement_windows(responses: list[Conformed]) -> dict[str, tuple[date, date]]:
    days: dict[str, list[date]] = defaultdict(list)
    for r in responses:
        days[r.survey_type].append(r.local_date)
    return {survey_type: (min(d), max(d)) for survey_type, d in days.items()}


def _baseline(cells: dict[Cell, ref.Counts], grain: str, survey_type: str, key: str, window: tuple) -> float | None:
    """NPS of the group's first period lying entirely inside the measurement window."""
    first, last = window
    full = sorted(
        start for (start, t, k) in cells
        if (t, k) == (survey_type, key) and start >= first and ref.shift(grain, start, 1) <= last + timedelta(days=1)
    )  # fmt: skip
    return ref.nps(cells[(full[0], survey_type, key)]) if full else None


def _weighted(segments: dict[str, ref.Counts], period_start: date) -> float | None:
    """Segment NPS weighted by the segments' shares of active customers on the period's first day;
    unmatched left out."""
    active = expected_active_segments(period_start)
    total = sum(active.values())
    shares = {s: active[s] / total for s in segments if s in active}
    if not shares:
        return None
    return sum(shares[s] * ref.nps(segments[s]) for s in shares) / sum(shares.values())


def _target_scope(mart: str, key: str, process: str | None) -> tuple[str, str | None]:
    return {
        "nps_overall": ("overall", "overall"),
        "nps_by_product": ("product", key),
        "nps_by_process": ("process", key),
        "nps_by_employee": ("process", process),
    }[mart]


def _add_shrinkage(rows: list[dict[str, Any]]) -> None:
    pools: dict[tuple, dict[str, ref.Counts]] = defaultdict(dict)
    for row in rows:
        pool = (row["period_grain"], row["period_start"], row["survey_type"], row["process"])
        pools[pool][row["employee_id"]] = ref.Counts(row["promoters"], row["passives"], row["detractors"])
    shrunk = {pool: ref.shrunk(employees) for pool, employees in pools.items()}
    for row in rows:
        pool = (row["period_grain"], row["period_start"], row["survey_type"], row["process"])
        row["nps_shrunk"] = shrunk[pool][row["employee_id"]]
