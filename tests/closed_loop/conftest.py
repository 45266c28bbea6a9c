import fcntl
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingestion.emulators import EmulatorServer, Faults, start_emulator
from ingestion.synthetic import write_world
from tests.closed_loop.world_build import WORLD_SPEC, Built, build


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("closed_loop_world")
    write_world(WORLD_SPEC, folder)
    return folder


@pytest.fixture
def emulator(world_dir) -> Iterator[EmulatorServer]:
    with start_emulator(world_dir, faults=Faults(enforce_rate_limits=False)) as server:
        yield server


@pytest.fixture(scope="session")
def built(world_dir, tmp_path_factory) -> Built:
    """The world landed and built once for the whole test run: the first pytest-xdist worker builds,
    the others wait on a file lock and reuse it (the world is deterministic, and the emulator hands
    out the same ids on every start, so any emulator serves the objects this warehouse knows)."""
    shared = tmp_path_factory.getbasetemp().parent / "closed_loop_build"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "done").exists():
            with start_emulator(world_dir, faults=Faults(enforce_rate_limits=False)) as server:
                build(world_dir, server, shared)
            (shared / "done").touch()
    return Built(shared / "warehouse.duckdb", shared / "target")
