"""Peak memory of a benchmark step: its own image and its descendants', never the runner's."""
import subprocess
import sys

from benchmarks.memory import PeakMemory

HOLD = "import time; block = bytearray({mb} * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]); time.sleep(1.5)"


def _peak(code: str) -> float:
    process = subprocess.Popen([sys.executable, "-c", code])
    with PeakMemory(process.pid) as peak:
        process.wait()
    assert process.returncode == 0
    return peak.megabytes


def test_a_small_step_started_by_a_large_runner_is_measured_small():
    runner_block = bytearray(600 * 1024 * 1024)
    runner_block[::4096] = b"x" * len(runner_block[::4096])  # resident in this process
    assert _peak(HOLD.format(mb=20)) < 200


def test_a_step_and_its_child_at_the_same_time_add_up():
    code = (
        "import subprocess, sys; child = subprocess.Popen([sys.executable, '-c', " + repr(HOLD.format(mb=250)) + "]); "
        + HOLD.format(mb=150) + "; child.wait()"
    )
    assert _peak(code) > 400
