"""Column batches the simulation passes around: equal-length numpy arrays, one row per record."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Self

import numpy as np


class Columns:
    """Mixin for dataclasses whose fields are equal-length arrays."""

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))

    def take(self, rows: np.ndarray) -> Self:
        return type(self)(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    @classmethod
    def concat(cls, parts: list[Self]) -> Self:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )


@dataclass(frozen=True)
class Responses(Columns):
    """Survey responses as simulated: the truth behind each row of responses_YYYY_MM.csv."""

    customer: np.ndarray  # population row
    contact: np.ndarray  # contact index within the customer (0 = the consumer themself)
    survey_type: np.ndarray
    process: np.ndarray  # -1 for relational
    employee: np.ndarray  # employee row, -1 for relational
    channel: np.ndarray
    invited: np.ndarray  # epoch seconds of the interaction (transactional) or invitation
    responded: np.ndarray  # epoch seconds
    interaction: np.ndarray  # interaction number (yyyymm * 10**7 + n), 0 for relational
    score: np.ndarray


@dataclass(frozen=True)
class Interactions(Columns):
    number: np.ndarray  # yyyymm * 10**7 + n
    customer: np.ndarray
    contact: np.ndarray
    process: np.ndarray
    employee: np.ndarray
    occurred: np.ndarray
    surveyed: np.ndarray
    channel: np.ndarray  # channel of the answered survey, -1 if none
    responded: np.ndarray  # epoch seconds of the answer, 0 if never answered


@dataclass(frozen=True)
class Deals(Columns):
    number: np.ndarray  # yyyymm * 10**7 + n, by closing time within the month
    customer: np.ndarray
    amount_cents: np.ndarray
    created: np.ndarray
    closed: np.ndarray
