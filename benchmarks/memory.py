"""Peak memory of a process and its descendants, sampled from /proc while they run.

The kernel's ru_maxrss cannot be used here: a child started from the runner inherits, until it
execs, the runner's address space (which holds the emulated world, gigabytes at a million
responses), and ru_maxrss keeps that figure. /proc's VmHWM is the peak of the process's own image
after exec. The peak is the larger of the highest VmHWM of any one process and the highest sum of
VmRSS over the tree at one moment (a refresh and its dbt run side by side)."""
from __future__ import annotations

import threading
from pathlib import Path

SAMPLE_SECONDS = 0.1


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass  # the process ended between listing and reading
    return 0


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


class PeakMemory:
    """`with PeakMemory(pid) as peak: ...` then `peak.megabytes`."""

    def __init__(self, pid: int):
        self.pid = pid
        self._highest_process_kb = 0
        self._highest_tree_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)

    def _sample(self) -> None:
        while True:
            tree = _tree(self.pid)
            self._highest_tree_kb = max(self._highest_tree_kb, sum(_status_kb(pid, "VmRSS") for pid in tree))
            self._highest_process_kb = max(self._highest_process_kb, *(_status_kb(pid, "VmHWM") for pid in tree))
            if self._stop.wait(SAMPLE_SECONDS):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def megabytes(self) -> float:
        return max(self._highest_process_kb, self._highest_tree_kb) / 1024
