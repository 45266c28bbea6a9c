"""Stops dbt when the `nps refresh` that started it dies, however it dies.

dbt runs as a child process of the refresh. A refresh killed outright (SIGKILL, the OOM killer) cannot
stop it, and dbt would go on writing the warehouse outside the refresh lock, beside the next refresh.
So a small guard process waits on a pipe from the refresh: the kernel closes the pipe when the refresh
dies, and the guard then interrupts dbt (SIGINT: dbt cancels its queries), and kills it if it has not
stopped after a grace period. A refresh that lives tells the guard so before closing the pipe.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

_RELEASE = b"release"  # the refresh is alive and in charge of dbt again
GRACE_SECONDS = 10.0


@contextlib.contextmanager
def stopped_if_this_process_dies(child: subprocess.Popen) -> Iterator[None]:
    guard = subprocess.Popen([sys.executable, "-m", __name__, str(child.pid)], stdin=subprocess.PIPE)
    try:
        yield
    finally:
        guard.communicate(_RELEASE)


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline:
            os.kill(pid, 0)  # raises once it has exited
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main(pid: int) -> None:
    # A Ctrl+C in the terminal reaches the refresh too, which stops dbt itself and then releases us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.stdin.buffer.read() != _RELEASE:  # end of file without a word: the refresh died
        _stop(pid)


if __name__ == "__main__":
    main(int(sys.argv[1]))
