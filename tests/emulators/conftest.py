from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ingestion.emulators import EmulatorServer, Faults, start_emulator
from ingestion.synthetic import WorldSpec, write_world


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    write_world(WorldSpec(seed=5, responses=200, end_date=date(2025, 2, 28), months=2), folder)
    return folder


@pytest.fixture
def emulator(world_dir) -> Iterator[EmulatorServer]:
    with start_emulator(world_dir, faults=Faults(enforce_rate_limits=False)) as server:
        yield server
