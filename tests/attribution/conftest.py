from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from attribution.summary import value_tables
from ingestion.synthetic import WorldSpec, write_world
from tests.attribution.world_cohorts import world_cohorts

# Two years of data: eight quarters with a full next quarter, four with a full 12 months.
WORLD_END = date(2025, 12, 31)
WORLD_RESPONSES = 20_000  # about 5,000 active customers, 35,000 customer quarters


@dataclass(frozen=True)
class CohortWorld:
    cohorts: pd.DataFrame
    truth: dict[str, Any]


@pytest.fixture(scope="session")
def cohort_world(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, float], CohortWorld]:
    """(seed, effect_scale) -> the world's cohort frame and truth.json; each world written once."""
    worlds: dict[tuple[int, float], CohortWorld] = {}

    def _world(seed: int, effect_scale: float) -> CohortWorld:
        if (seed, effect_scale) not in worlds:
            folder = tmp_path_factory.mktemp(f"world_{seed}_{effect_scale}")
            spec = WorldSpec(seed=seed, responses=WORLD_RESPONSES, end_date=WORLD_END, effect_scale=effect_scale)
            summary = write_world(spec, folder)
            worlds[(seed, effect_scale)] = CohortWorld(
                world_cohorts(Path(summary.out_dir)), json.loads(summary.truth_path.read_text())
            )
        return worlds[(seed, effect_scale)]

    return _world


# The world the value tables and the asset are tested on.
EFFECT_WORLD = (1, 1.0)


@pytest.fixture(scope="session")
def effect_world(cohort_world) -> CohortWorld:
    return cohort_world(*EFFECT_WORLD)


@pytest.fixture(scope="session")
def effect_world_tables(effect_world) -> dict[str, pd.DataFrame]:
    return value_tables(effect_world.cohorts)
