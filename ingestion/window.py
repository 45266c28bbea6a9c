"""A backfill's time window: what a connector re-fetches instead of reading on from its cursor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Window:
    """[start, end): responses answered, or CRM records last modified, within it."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a window's start and end need a timezone")
        if self.end <= self.start:
            raise ValueError(f"a window must end after it starts: {self.start} .. {self.end}")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def last_second(self) -> datetime:
        """The end as an inclusive bound, for APIs whose `until` includes it (their times are whole
        seconds, so nothing falls between this and `end`)."""
        return self.end - timedelta(seconds=1)
