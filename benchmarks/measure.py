"""Run one benchmark step in a subprocess and measure its wall time and peak RSS."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.environment import TELEMETRY_OFF


@dataclass
class StepResult:
    seconds: float  # wall time of the whole subprocess (interpreter start and imports included)
    peak_rss_mb: float  # the step's process, or its largest waited-for child (dbt), whichever is larger
    data: dict[str, Any] = field(default_factory=dict)  # what the step itself reports


def run_step(step_name: str, /, **arguments: Any) -> StepResult:
    """`python -m benchmarks step <name>` with JSON arguments; its JSON answer comes back in a file.

    os.wait4 gives this child's own rusage: Linux's ru_maxrss there is the maximum of the child and
    of the descendants it waited for, so a dbt subprocess is covered, but RSS is not summed."""
    with tempfile.TemporaryDirectory(prefix="nps-bench-") as scratch:
        answer = Path(scratch) / "answer.json"
        command = [sys.executable, "-m", "benchmarks", "step", step_name, json.dumps(arguments), str(answer)]
        started = time.perf_counter()
        process = subprocess.Popen(command, env={**os.environ, **TELEMETRY_OFF})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"benchmark step {step_name} {arguments} exited with {process.returncode}, expected 0")
        data = json.loads(answer.read_text(encoding="utf-8"))
    return StepResult(seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024, data=data)


def median_result(results: list[StepResult]) -> StepResult:
    """The repeat with the median wall time (its data), and the highest peak RSS of the repeats."""
    ordered = sorted(results, key=lambda r: r.seconds)
    chosen = ordered[(len(ordered) - 1) // 2]
    return StepResult(chosen.seconds, max(r.peak_rss_mb for r in results), chosen.data)
