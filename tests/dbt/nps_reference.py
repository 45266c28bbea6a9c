"""The NPS statistics of issue 4, written out independently of the dbt macros, to check the marts
against: from category counts to every published column."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

Z = 1.96


@dataclass(frozen=True)
class Counts:
    promoters: int
    passives: int
    detractors: int

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.promoters + other.promoters,
            self.passives + other.passives,
            self.detractors + other.detractors,
        )


def category(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def counts_of(scores: list[int]) -> Counts:
    categories = [category(s) for s in scores]
    return Counts(categories.count("promoter"), categories.count("passive"), categories.count("detractor"))


def nps(c: Counts) -> float:
    return 100 * (c.promoters - c.detractors) / c.responses


def variance(promoters: float, detractors: float, n: float) -> float:
    """Per-response variance of +1/0/-1 on the proportion scale: p + d - (p - d)^2."""
    p, d = promoters / n, detractors / n
    return p + d - (p - d) ** 2


def margin_of_error(c: Counts) -> float:
    return Z * 100 * math.sqrt(variance(c.promoters, c.detractors, c.responses) / c.responses)


def adjusted_wald(c: Counts) -> tuple[float, float]:
    """Rocks (2016): 0.75 added to promoters and to detractors, 3 to n; clipped to [-100, 100]."""
    p, d, n = c.promoters + 0.75, c.detractors + 0.75, c.responses + 3
    centre = (p - d) / n
    half = Z * math.sqrt(variance(p, d, n) / n)
    return max(-100.0, 100 * (centre - half)), min(100.0, 100 * (centre + half))


def change_is_significant(current: Counts, previous: Counts | None) -> bool:
    if previous is None:
        return False
    change = (nps(current) - nps(previous)) / 100
    standard_error = math.sqrt(
        variance(current.promoters, current.detractors, current.responses) / current.responses
        + variance(previous.promoters, previous.detractors, previous.responses) / previous.responses
    )
    return abs(change) > Z * standard_error


def shrunk(employees: dict[str, Counts]) -> dict[str, float]:
    """Empirical Bayes within one process and period (see nps_by_employee in _nps__models.yml)."""
    total = sum(employees.values(), Counts(0, 0, 0))
    n_total, groups = total.responses, len(employees)
    mu = nps(total)
    within = sum(
        10_000 * (c.promoters + c.detractors - (c.promoters - c.detractors) ** 2 / c.responses)
        for c in employees.values()
    )
    between = sum(c.responses * (nps(c) - mu) ** 2 for c in employees.values())
    if n_total > groups:
        sigma2 = within / (n_total - groups)
    elif n_total > 1:
        sigma2 = (within + between) / (n_total - 1)
    else:
        return {name: mu for name in employees}
    spread = n_total - sum(c.responses**2 for c in employees.values()) / n_total
    tau2 = max(0.0, (between - (groups - 1) * sigma2) / spread) if spread > 0 else 0.0
    result = {}
    for name, c in employees.items():
        denominator = tau2 + sigma2 / c.responses
        weight = tau2 / denominator if denominator > 0 else 0.0
        result[name] = mu + weight * (nps(c) - mu)
    return result


def period_start(grain: str, day: date) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def shift(grain: str, start: date, periods: int) -> date:
    if grain == "day":
        return start + timedelta(days=periods)
    if grain == "week":
        return start + timedelta(weeks=periods)
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * periods
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


GRAINS = ("day", "week", "month", "quarter", "year")
