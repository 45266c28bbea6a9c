"""Public entry points: write a world to disk, or stream its responses as DataFrames."""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ingestion.synthetic.customers import contact_frame, customer_frame
from ingestion.synthetic.simulation import Month, Simulation
from ingestion.synthetic.spec import SECONDS_PER_DAY, WorldSpec, month_first_day, month_index
from ingestion.synthetic.spec import window_bounds
from ingestion.synthetic.tables import (
    CONTACTS,
    CUSTOMERS,
    DEALS,
    VOCABULARY_MACROS,
    Table,
    deal_frame,
    interaction_frame,
    interactions_table,
    organisation_frames,
    response_frame,
    responses_table,
)
from ingestion.synthetic.truth import truth
from ingestion.synthetic.world import World

CUSTOMER_CHUNK = 200_000
# A customer who left shortly before the window can still answer a survey inside it.
CRM_CHURN_LOOKBACK_SECONDS = 31 * SECONDS_PER_DAY


@dataclass(frozen=True)
class WorldSummary:
    out_dir: Path
    files: dict[str, int] = field(default_factory=dict)  # path relative to out_dir -> data rows
    tables: dict[str, int] = field(default_factory=dict)  # table -> data rows over its files

    @property
    def truth_path(self) -> Path:
        return self.out_dir / "truth.json"

    def path(self, relative: str) -> Path:
        return self.out_dir / relative


def write_world(spec: WorldSpec, out_dir: Path, *, interactions: bool = False) -> WorldSummary:
    """Simulate the world of `spec` and write it under `out_dir` (see the package docstring)."""
    out_dir = Path(out_dir)
    world = World.build(spec)
    simulation = Simulation(world)
    population = simulation.population
    window_start, window_end = window_bounds(spec)
    summary = WorldSummary(out_dir=out_dir, tables={"responses": 0})

    def count(relative: str, table: str, rows: int) -> None:
        summary.files[relative] = summary.files.get(relative, 0) + rows
        summary.tables[table] = summary.tables.get(table, 0) + rows

    with _duckdb() as con:
        for relative, (table, frame) in organisation_frames(world).items():
            with _CsvFile(con, out_dir / relative, table) as csv:
                count(relative, table.name, csv.write(frame))

        with _CsvFile(con, out_dir / "crm/deals.csv", DEALS) as deals:
            count("crm/deals.csv", "deals", 0)
            for month in _window_months(simulation, interactions):
                suffix = month_first_day(month.index).strftime("%Y_%m")
                relative = f"responses/responses_{suffix}.csv"
                with _CsvFile(con, out_dir / relative, responses_table(world)) as csv:
                    count(relative, "responses", csv.write(_response_frame(simulation, month)))
                if month.interactions is not None:
                    occurred = _within(month.interactions.occurred, window_start, window_end)
                    frame = interaction_frame(
                        world, population, month.interactions.take(occurred), window_end
                    )
                    relative = f"interactions/interactions_{suffix}.csv"
                    with _CsvFile(con, out_dir / relative, interactions_table(world)) as csv:
                        count(relative, "interactions", csv.write(frame))
                if month.deals is not None:
                    closed = _within(month.deals.closed, window_start, window_end)
                    count("crm/deals.csv", "deals", deals.write(
                        deal_frame(population, month.deals.take(closed))
                    ))

        in_crm = np.flatnonzero(
            (population["created"] < window_end)
            & (population["churned"] >= window_start - CRM_CHURN_LOOKBACK_SECONDS)
        )
        with (
            _CsvFile(con, out_dir / "crm/customers.csv", CUSTOMERS) as customers,
            _CsvFile(con, out_dir / "crm/contacts.csv", CONTACTS) as contacts,
        ):
            count("crm/customers.csv", "customers", 0)
            count("crm/contacts.csv", "contacts", 0)
            for start in range(0, len(in_crm), CUSTOMER_CHUNK):
                rows = in_crm[start : start + CUSTOMER_CHUNK]
                frame = customer_frame(population, rows, window_end)
                count("crm/customers.csv", "customers", customers.write(frame))
                frame = contact_frame(population, rows, window_end)
                count("crm/contacts.csv", "contacts", contacts.write(frame))

    document = json.dumps(truth(world, population, summary.tables), indent=2, ensure_ascii=False)
    summary.truth_path.write_text(document + "\n", encoding="utf-8")
    return summary


def iter_response_chunks(spec: WorldSpec) -> Iterator[pd.DataFrame]:
    """The responses write_world writes, one calendar month per DataFrame (empty months skipped):
    the canonical columns and extras in file order; responded_at is a UTC timestamp, score an
    integer, missing values are NA."""
    simulation = Simulation(World.build(spec))
    table = responses_table(simulation.world)
    with _duckdb() as con:
        for month in _window_months(simulation, interactions=False):
            frame = _response_frame(simulation, month)
            if len(frame) == 0:
                continue
            con.register("raw", frame)
            chunk = con.sql(table.select("raw", text=False)).df()
            con.unregister("raw")
            responded_at = chunk["responded_at"].astype("datetime64[s]")
            chunk["responded_at"] = responded_at.dt.tz_localize("UTC")
            yield chunk


def _window_months(simulation: Simulation, interactions: bool) -> Iterator[Month]:
    spec = simulation.world.spec
    return simulation.run(month_index(spec.window_start), month_index(spec.end_date), interactions)


def _response_frame(simulation: Simulation, month: Month) -> pd.DataFrame:
    """The month's responses inside the window. The whole month is rendered first, so which rows
    the window keeps never changes how a row looks."""
    world, responses = simulation.world, month.responses
    frame = response_frame(
        world, simulation.population, month.index, responses, month.response_numbers
    )
    return frame[_within(responses.responded, *window_bounds(world.spec))]


def _within(moments: np.ndarray, start: int, end: int) -> np.ndarray:
    return (moments >= start) & (moments < end)


@contextmanager
def _duckdb() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(config={"threads": 1, "preserve_insertion_order": True})
    for macro in VOCABULARY_MACROS:
        con.execute(macro)
    try:
        yield con
    finally:
        con.close()


class _CsvFile:
    """One CSV file written chunk by chunk, each chunk formatted by DuckDB."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, table: Table) -> None:
        self._con, self._path, self._table = con, path, table
        self._part = path.with_name(path.name + ".part")
        self._rows = 0

    def __enter__(self) -> _CsvFile:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rows == 0:
            self._path.write_bytes((",".join(self._table.header) + "\r\n").encode())
        self._part.unlink(missing_ok=True)

    def write(self, frame: pd.DataFrame) -> int:
        if len(frame) == 0:
            return 0
        first = self._rows == 0
        target = str(self._path if first else self._part).replace("'", "''")
        self._con.register("raw", frame)
        self._con.execute(
            f"COPY ({self._table.select('raw', text=True)}) TO '{target}' "
            f"(FORMAT csv, HEADER {str(first).lower()}, NEW_LINE '\r\n')"
        )
        self._con.unregister("raw")
        if not first:
            _append(self._part, self._path)
        self._rows += len(frame)
        return len(frame)


def _append(source: Path, target: Path) -> None:
    with open(source, "rb") as src, open(target, "r+b") as dst:
        dst.seek(0, os.SEEK_END)
        remaining = os.fstat(src.fileno()).st_size
        try:
            while remaining > 0:  # copied inside the kernel
                remaining -= os.copy_file_range(src.fileno(), dst.fileno(), remaining)
        except OSError:  # a file system without copy_file_range: copy the rest by hand
            src.seek(-remaining, os.SEEK_END)
            shutil.copyfileobj(src, dst, 1 << 20)
