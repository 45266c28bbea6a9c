"""What every connector provides: its config model, its raw tables and an `extract` generator."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

from ingestion.landing import Batch
from ingestion.raw_tables import RawTable

SurveyType = Literal["transactional", "relational"]


class StrictModel(BaseModel):
    """Config models reject unknown keys so a typo is an error, not a silently ignored setting."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _relative_to_config(value: Path, info: ValidationInfo) -> Path:
    base_dir = (info.context or {}).get("base_dir")
    return value if value.is_absolute() or base_dir is None else Path(base_dir) / value


# A path in nps.yaml: relative paths are read relative to the config file's folder.
ConfigPath = Annotated[Path, AfterValidator(_relative_to_config)]


class SourceConfig(StrictModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="unique name of this source")


@dataclass(frozen=True)
class Connector:
    source_type: str
    config_model: type[SourceConfig]
    tables: dict[str, RawTable]  # object name -> raw table
    # extract(config, object name, cursor or None, window=None) -> batches, each with its cursor.
    # With a window (a backfill) it reads what falls in the window instead of what the cursor has
    # not seen: survey responses by when they were answered, CRM records by their last change.
    extract: Callable[..., Iterator[Batch]]
