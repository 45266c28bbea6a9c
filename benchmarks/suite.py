"""The measurements of one history size, in the order they depend on each other."""
from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from benchmarks.measure import StepResult, median_result, run_step
from benchmarks.world import write_config
from ingestion.emulators import Faults, start_emulator

END_DATE = date(2026, 11, 1)
# Every survey connector and the largest CRM object (the other HubSpot objects read like deals).
BARE_LOOPS = ("hubspot/deals", "typeform/responses", "delighted/responses", "surveymonkey/responses", "qualtrics/responses")


@dataclass
class SizeResults:
    size: int
    generation: StepResult
    full_refresh: StepResult
    nightly_generation: StepResult
    nightly_refresh: StepResult
    dbt_full_build: StepResult  # --full-refresh: every model rebuilt from the raw tables
    dbt_incremental_build: StepResult  # as the nightly runs it, with nothing new landed
    quality_checks: StepResult  # every GX suite of the refresh, run directly
    lower_bound: StepResult
    bare_loops: dict[str, StepResult] = field(default_factory=dict)


def measure_generation(size: int, workdir: Path) -> StepResult:
    """The world's generation alone (streamed to files); the world is deleted afterwards."""
    home = workdir / f"generation_{size}"
    shutil.rmtree(home, ignore_errors=True)
    try:
        return run_step("generate", world=str(home / "world"), responses=size, end_date=END_DATE.isoformat())
    finally:
        shutil.rmtree(home, ignore_errors=True)


def measure_pairs(size: int, workdir: Path, repeat: int, names: tuple[str, ...] = BARE_LOOPS) -> dict[str, list[StepResult]]:
    """Only each connector beside its bare loop (no refresh, dbt or checks), `repeat` times, against
    one world of `size` responses served once, without the vendors' rate limits: what a change to
    the connectors is judged by. The repeats go round the connectors, so a busy spell is shared."""
    home = workdir / f"pairs_{size}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    run_step("generate", world=str(home / "world"), responses=size, end_date=END_DATE.isoformat())
    measured: dict[str, list[StepResult]] = {name: [] for name in names}
    with start_emulator(home / "world", faults=Faults(enforce_rate_limits=False)) as emulator:
        config = write_config(home, emulator.base_url, vendor_rate_limits=False)
        for _ in range(repeat):
            for name in names:
                arguments = {"name": name, "base_url": emulator.base_url, "config": str(config), "database": str(home / "bare.duckdb")}
                measured[name].append(run_step("bare_loop", **arguments))
    return measured


def measure_size(size: int, workdir: Path, repeat: int, vendor_rate_limits: bool, with_bare_loops: bool = True) -> SizeResults:
    """Every step at one history size. Generation and the full refresh run once (at a million
    responses they take many minutes, and the nightly repeats start from the full refresh's
    warehouse); `with_bare_loops`: also each connector beside its bare loop."""
    home = workdir / f"responses_{size}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    world, data = home / "world", home / "data"

    def journaled(step_name: str, /, **arguments) -> StepResult:
        """Each step's figures also go to a journal as they are measured: at 10M a size runs for
        hours, and one that fails or is stopped keeps what it measured."""
        result = run_step(step_name, **arguments)
        with (home / "journal.jsonl").open("a", encoding="utf-8") as journal:
            journal.write(json.dumps({"step": step_name, "arguments": arguments, **asdict(result)}) + "\n")
        return result

    def repeated(step_name: str, /, before=None, **arguments) -> StepResult:
        results = []
        for _ in range(repeat):
            if before is not None:
                before()
            results.append(journaled(step_name, **arguments))
        return median_result(results)

    generation = journaled("generate", world=str(world), responses=size, end_date=END_DATE.isoformat())
    faults = Faults(enforce_rate_limits=vendor_rate_limits)
    with start_emulator(world, faults=faults) as emulator:
        config = write_config(home, emulator.base_url, vendor_rate_limits)
        full_refresh = journaled("refresh", config=str(config), full_refresh=False)
        bare_loops = {
            name: repeated("bare_loop", name=name, base_url=emulator.base_url, config=str(config), database=str(home / "bare.duckdb"))
            for name in (BARE_LOOPS if with_bare_loops else ())
        }  # fmt: skip
    # One more day: the same world one day longer, served afresh; each nightly repeat starts from
    # the warehouse as it was before it.
    snapshot = home / "data_before_nightly"
    shutil.copytree(data, snapshot)
    nightly_generation = journaled("generate", world=str(world), responses=size, end_date=(END_DATE + timedelta(days=1)).isoformat())

    def restore() -> None:
        shutil.rmtree(data)
        shutil.copytree(snapshot, data)

    with start_emulator(world, faults=faults) as emulator:
        config = write_config(home, emulator.base_url, vendor_rate_limits)
        nightly_refresh = repeated("refresh", before=restore, config=str(config), full_refresh=False)
    shutil.rmtree(snapshot)
    # dbt, the checks and the lower bound alone come last, on the warehouse one day longer (no
    # difference in size that matters): at 10M the nightly, which the targets need, comes hours sooner.
    dbt_full_build = repeated("dbt_build", config=str(config), full_refresh=True)
    dbt_incremental_build = repeated("dbt_build", config=str(config), full_refresh=False)
    quality_checks = repeated("quality_checks", config=str(config))
    lower_bound = repeated("lower_bound", warehouse=str(data / "warehouse.duckdb"))
    return SizeResults(
        size=size,
        generation=generation,
        full_refresh=full_refresh,
        nightly_generation=nightly_generation,
        nightly_refresh=nightly_refresh,
        dbt_full_build=dbt_full_build,
        dbt_incremental_build=dbt_incremental_build,
        quality_checks=quality_checks,
        lower_bound=lower_bound,
        bare_loops=bare_loops,
    )
