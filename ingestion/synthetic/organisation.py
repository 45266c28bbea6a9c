"""The company: products, customer-facing processes (touchpoints) and the employees who run them."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingestion.synthetic.names import FIRST_NAMES, LAST_NAMES
from ingestion.synthetic.spec import Stream, WorldSpec, rng_for

PRODUCTS: tuple[tuple[str, str], ...] = (
    ("internet", "Internet"),
    ("mobile", "Mobile"),
    ("tv", "TV"),
    ("energy", "Energy"),
    ("insurance", "Insurance"),
)
PROCESSES: tuple[tuple[str, str], ...] = (
    ("purchase", "Purchase"),
    ("onboarding", "Onboarding"),
    ("support_call", "Support call"),
    ("repair", "Repair"),
    ("billing", "Billing"),
    ("complaint", "Complaint"),
    ("cancellation", "Cancellation"),
)
PRODUCT_CODES = tuple(code for code, _ in PRODUCTS)
PROCESS_CODES = tuple(code for code, _ in PROCESSES)
PURCHASE = PROCESS_CODES.index("purchase")
CANCELLATION = PROCESS_CODES.index("cancellation")

RESPONSES_PER_EMPLOYEE = 400
MIN_EMPLOYEES = 10
TEAM_SIZE = 12
EMPLOYEE_EFFECT_SD = 0.25
EXCELLENT_SHARE, EXCELLENT_EFFECT = 0.05, 0.9
POOR_SHARE, POOR_EFFECT = 0.05, -1.1
OCCASIONAL_SHARE, OCCASIONAL_WEIGHT = 0.10, 0.04  # part-timers and newcomers: very few responses


@dataclass(frozen=True)
class Employees:
    """Employees sorted by process; `number` is the public id number (E0001 = 1)."""

    number: np.ndarray
    process: np.ndarray
    team: np.ndarray  # team number within the process
    effect: np.ndarray  # added to the latent satisfaction of responses they handled
    tier: np.ndarray  # 'excellent' | 'poor' | 'regular'
    workload: np.ndarray  # relative share of their process's interactions
    first_name: np.ndarray
    last_name: np.ndarray
    id_width: int
    pick_keys: np.ndarray  # process + cumulative workload share within the process (sorted)

    @classmethod
    def generate(cls, spec: WorldSpec, process_share: np.ndarray) -> Employees:
        rng = rng_for(spec.seed, Stream.EMPLOYEES)
        total = max(MIN_EMPLOYEES, round(spec.responses / RESPONSES_PER_EMPLOYEE))
        per_process = _allocate(total, process_share)
        process = np.repeat(np.arange(len(per_process)), per_process)
        team = np.concatenate([np.arange(n) // TEAM_SIZE + 1 for n in per_process])
        tier_draw = rng.random(total)
        tier = np.where(
            tier_draw < EXCELLENT_SHARE, "excellent",
            np.where(tier_draw < EXCELLENT_SHARE + POOR_SHARE, "poor", "regular"),
        ).astype(object)
        effect = rng.normal(0.0, EMPLOYEE_EFFECT_SD, total)
        effect += np.where(tier == "excellent", EXCELLENT_EFFECT, 0.0)
        effect += np.where(tier == "poor", POOR_EFFECT, 0.0)
        workload = rng.lognormal(0.0, 0.5, total)
        workload *= np.where(rng.random(total) < OCCASIONAL_SHARE, OCCASIONAL_WEIGHT, 1.0)
        shares = np.concatenate(
            [np.cumsum(w) / w.sum() for w in np.split(workload, np.cumsum(per_process)[:-1])]
        )
        shares[np.cumsum(per_process) - 1] = 1.0
        return cls(
            number=rng.permutation(total) + 1,
            process=process,
            team=team,
            effect=effect,
            tier=tier,
            workload=workload,
            first_name=rng.integers(0, len(FIRST_NAMES), total),
            last_name=rng.integers(0, len(LAST_NAMES), total),
            id_width=max(4, len(str(total))),
            pick_keys=process + shares,
        )

    def __len__(self) -> int:
        return len(self.number)

    def pick(self, process: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Employee (row index) handling each interaction of `process`, chosen by workload;
        u ~ U[0, 1) per interaction."""
        return np.searchsorted(self.pick_keys, process + np.minimum(u, 1 - 1e-9), side="right")

    def ids(self) -> list[str]:
        return [f"E{n:0{self.id_width}d}" for n in self.number]

    def names(self) -> np.ndarray:
        return FIRST_NAMES[self.first_name] + " " + LAST_NAMES[self.last_name]

    def teams(self) -> np.ndarray:
        process_names = np.array([name for _, name in PROCESSES], dtype=object)
        return process_names[self.process] + " team " + self.team.astype(str).astype(object)


def _allocate(total: int, share: np.ndarray) -> np.ndarray:
    """Split `total` over processes in proportion to `share` (largest remainder), 1 at least."""
    exact = share / share.sum() * (total - len(share))
    counts = np.floor(exact).astype(int)
    remainder = total - len(share) - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:remainder]] += 1
    return counts + 1
