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

from benchmarks.memory import PeakMemory
from orchestration.environment import TELEMETRY_OFF


@dataclass
class StepResult:
    seconds: float  # wall time of the whole subprocess (interpreter start and imports included)
    peak_rss_mb: float  # the step and its descendants (benchmarks/memory.py)
    data: dict[str, Any] = field(default_factory=dict)  # what the step itself reports


def run_step(step_name: str, /, **arguments: Any) -> StepResult:
    """`python -m benchmarks step <name>` with JSON arguments; its JSON answer comes back in a file.
    Peak memory is sampled from /proc over the step and its descendants (benchmarks/memory.py)."""
    with tempfile.TemporaryDirectory(prefix="nps-bench-") as scratch:
        answer = Path(scratch) / "answer.json"
        command = [sys.executable, "-m", "benchmarks", "step", step_name, json.dumps(arguments), str(answer)]
        started = time.perf_counter()
        process = subprocess.Popen(command, env={**os.environ, **TELEMETRY_OFF})
        # A step that dies before its last sample (a dbt run of a fraction of a second) is missed.
        with PeakMemory(process.pid) as peak:
            process.wait()
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"benchmark step {step_name} {arguments} exited with {process.returncode}, expected 0")
        data = json.loads(answer.read_text(encoding="utf-8"))
    return StepResult(seconds=seconds, peak_rss_mb=peak.megabytes, data=data)


def median_result(results: list[StepResult]) -> StepResult:
    """The repeat with the median wall time (its data), and the highest peak RSS of the repeats."""
    ordered = sorted(results, key=lambda r: r.seconds)
    chosen = ordered[(len(ordered) - 1) // 2]
    return StepResult(chosen.seconds, max(r.peak_rss_mb for r in results), chosen.data)
