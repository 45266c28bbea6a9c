"""Load a page in headless Chromium (Debian's `chromium`): the DOM after load, what the page wrote to
the console (uncaught errors included), and a screenshot."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "data" / "test-artifacts" / "report"
# Chromium logs every console message (and uncaught error) of the page as ...:INFO:CONSOLE:<line>] "<text>"
CONSOLE_LINE = re.compile(r":CONSOLE(?::\d+)?\]\s*(.*)")
QUIET_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
]


@dataclass(frozen=True)
class LoadedPage:
    dom: str
    console: list[str]
    screenshot: Path


def chromium_or_skip() -> str:
    """The chromium binary; without it the test is skipped locally and fails in CI (CI=true), where
    `.ci/ensure-chromium` installs it."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        return binary
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; CI runs .ci/ensure-chromium before the tests")
    pytest.skip("chromium is not installed (apt-get install chromium, or run .ci/ensure-chromium)")


def load_page(url: str, profile_dir: Path, screenshot_name: str, height: int = 6000) -> LoadedPage:
    binary = chromium_or_skip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / screenshot_name
    screenshot.unlink(missing_ok=True)
    result = subprocess.run(
        [binary, *QUIET_FLAGS, f"--user-data-dir={profile_dir}", f"--window-size=1280,{height}",
         f"--screenshot={screenshot}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    if result.returncode != 0 or not screenshot.exists():
        raise AssertionError(
            f"chromium exited {result.returncode} loading {url} (screenshot written: {screenshot.exists()}):\n"
            + result.stderr[-3000:]
        )
    console = [match.group(1) for match in map(CONSOLE_LINE.search, result.stderr.splitlines()) if match]
    print(f"screenshot of {url}: {screenshot}")
    return LoadedPage(dom=result.stdout, console=console, screenshot=screenshot)
