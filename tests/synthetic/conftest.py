from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingestion.synthetic import WorldSpec, WorldSummary, write_world

# Mid-month end date and 12 months: a partial first and last month, 13 response files.
SMALL = WorldSpec(seed=7, responses=20_000, end_date=date(2025, 9, 17), months=12)


@dataclass(frozen=True)
class WorldFiles:
    summary: WorldSummary

    @property
    def root(self) -> Path:
        return self.summary.out_dir

    def table(self, relative: str) -> pd.DataFrame:
        """A CSV as written: every value a string, empty fields as ''."""
        return pd.read_csv(self.root / relative, dtype=str, keep_default_na=False, encoding="utf-8")

    def response_files(self) -> list[Path]:
        return sorted((self.root / "responses").glob("responses_*.csv"))

    def responses(self) -> pd.DataFrame:
        tables = [self.table(str(f.relative_to(self.root))) for f in self.response_files()]
        return pd.concat(tables, ignore_index=True)

    def rows(self, relative: str) -> list[list[str]]:
        """Rows parsed with strict RFC 4180 quoting, header first."""
        with open(self.root / relative, newline="", encoding="utf-8") as f:
            return list(csv.reader(f, strict=True))

    def hashes(self) -> dict[str, str]:
        return {
            str(p.relative_to(self.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        }


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., WorldFiles]:
    """Write a world once per session for each spec and options; later calls reuse it."""
    cache: dict[tuple[WorldSpec, bool], WorldFiles] = {}

    def _written(spec: WorldSpec, interactions: bool = False) -> WorldFiles:
        if (spec, interactions) not in cache:
            summary = write_world(spec, tmp_path_factory.mktemp("world"), interactions=interactions)
            cache[spec, interactions] = WorldFiles(summary)
        return cache[spec, interactions]

    return _written


@pytest.fixture(scope="session")
def small_world(written: Callable[..., WorldFiles]) -> WorldFiles:
    return written(SMALL, interactions=True)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., WorldFiles]:
    """Write a world into a fresh directory under tmp_path, every time."""

    def _write(spec: WorldSpec, name: str, **options: bool) -> WorldFiles:
        return WorldFiles(write_world(spec, tmp_path / name, **options))

    return _write
