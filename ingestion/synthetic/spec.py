"""World parameters a caller chooses, and the calendar they imply."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum

import numpy as np

# The simulation always starts here (unless the window starts earlier), so the history of a day does
# not depend on the end date: moving end_date forward only appends days.
SIMULATION_EPOCH = date(2022, 1, 1)
_UNIX_EPOCH = date(1970, 1, 1)
SECONDS_PER_DAY = 86_400
AVERAGE_MONTH_DAYS = 365.25 / 12
SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY


@dataclass(frozen=True)
class WorldSpec:
    seed: int = 42
    responses: int = 20_000  # approximate target number of survey responses in the window
    end_date: date = field(kw_only=True)  # last day (inclusive) of the window
    months: int = 24  # window = [end_date - months, end_date]
    effect_scale: float = 1.0  # 0.0 removes every planted effect of NPS category on churn/revenue

    def __post_init__(self) -> None:
        if not isinstance(self.end_date, date) or isinstance(self.end_date, datetime):
            raise TypeError("end_date must be a datetime.date (not a datetime)")
        if self.seed < 0:
            raise ValueError("seed must be >= 0")
        if self.responses < 1:
            raise ValueError("responses must be >= 1")
        if self.months < 1:
            raise ValueError("months must be >= 1")
        if self.effect_scale < 0:
            raise ValueError("effect_scale must be >= 0")

    @property
    def window_start(self) -> date:
        return add_months(self.end_date, -self.months)

    @property
    def simulation_start(self) -> date:
        return min(SIMULATION_EPOCH, self.window_start.replace(day=1))


class Stream(IntEnum):
    """Independent random streams; each is keyed by (seed, stream, period) so that skipping one
    (e.g. comment text before the window) never shifts another."""

    EMPLOYEES = 1
    INITIAL_CUSTOMERS = 2
    ARRIVALS = 3
    CHURN = 4
    RELATIONAL = 5
    TRANSACTIONAL = 6
    LIFECYCLE = 7
    PRESENTATION = 8
    RENEWAL_DEALS = 9
    NEW_DEALS = 10
    OTHER_INTERACTIONS = 11


def rng_for(seed: int, stream: Stream, period: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, int(stream), period])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def epoch_seconds(day: date) -> int:
    """Seconds since 1970-01-01T00:00:00Z at the start of `day`."""
    return (day - _UNIX_EPOCH).days * SECONDS_PER_DAY


def month_bounds(index: int) -> tuple[int, int]:
    """[start, end) of a calendar month in epoch seconds."""
    return epoch_seconds(month_first_day(index)), epoch_seconds(month_first_day(index + 1))


def window_bounds(spec: WorldSpec) -> tuple[int, int]:
    """[start, end) of the window in epoch seconds: from the first second of window_start to the
    last second of end_date."""
    return epoch_seconds(spec.window_start), epoch_seconds(spec.end_date + timedelta(days=1))
