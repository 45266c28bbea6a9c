"""`nps.yaml`: validated on load; `${VAR}` is replaced from the environment (secrets stay there)."""
from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from expectations.thresholds import QualityConfig
from ingestion.connectors import CONNECTORS
from ingestion.connectors.base import ConfigPath, StrictModel

CONFIG_ENV = "NPS_CONFIG"
DEFAULT_CONFIG_FILE = "nps.yaml"
# ${VAR} or ${VAR:-default}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """A config problem, naming the file and the key."""


class DuckDBWarehouseConfig(StrictModel):
    type: Literal["duckdb"] = "duckdb"
    path: ConfigPath = Path("data/warehouse.duckdb")


class PostgresWarehouseConfig(StrictModel):
    type: Literal["postgres"]
    host: str = "127.0.0.1"
    port: int = 5432
    dbname: str
    user: str = "postgres"
    password: SecretStr = SecretStr("")

    @property
    def dsn(self) -> str:
        from psycopg2.extensions import make_dsn

        password = self.password.get_secret_value() or None
        return make_dsn(host=self.host, port=self.port, dbname=self.dbname, user=self.user, password=password)


WarehouseConfig = Annotated[Union[DuckDBWarehouseConfig, PostgresWarehouseConfig], Field(discriminator="type")]


class ReportingConfig(StrictModel):
    path: ConfigPath = Path("data/reporting.duckdb")
    # Employee-level results (DuckDB; on PostgreSQL the schema reporting_restricted).
    restricted_path: ConfigPath = Path("data/reporting_restricted.duckdb")
    timezone: str = "UTC"
    min_responses: int = Field(default=30, ge=1)
    # PostgreSQL group roles `nps setup-roles` creates and every publish grants to.
    reader_role: str = Field(default="nps_reader", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    manager_role: str = Field(default="nps_manager", pattern=r"^[a-z_][a-z0-9_]{0,62}$")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (expected an IANA name such as Europe/Amsterdam)")
        return value


SourceConfigs = Annotated[
    Union[tuple(connector.config_model for connector in CONNECTORS.values())],  # type: ignore[misc]
    Field(discriminator="type"),
]


class FollowUpConfig(StrictModel):
    """Which responses need a follow-up, how fast, and which new detractors alert (dbt vars)."""

    categories: list[Literal["detractor", "passive"]] = Field(default=["detractor"], min_length=1)
    sla_hours: dict[Literal["transactional", "relational"], int] = Field(
        default={"transactional": 48, "relational": 48}
    )
    alert_min_revenue: float = Field(default=10_000, ge=0)  # business accounts' revenue in the last year


class BackfillConfig(StrictModel):
    """The day partitions of the loads and models: a backfill (`nps refresh --since`, or Dagster's)
    can reach back to `start_date`. Data older than that still loads; it just has no partition."""

    start_date: date = date(2020, 1, 1)

    @field_validator("start_date")
    @classmethod
    def _in_the_past(cls, value: date) -> date:
        # Two days back, so that yesterday is a partition whatever the reporting timezone.
        if value > date.today() - timedelta(days=2):
            raise ValueError(f"{value} is too recent: the day partitions run from it to yesterday")
        return value


class RetentionConfig(StrictModel):
    """How long raw payloads are kept (ingestion/retention.py); null keeps them."""

    raw_payload_days: int | None = Field(
        default=None, ge=1, description="days after landing before raw payloads and quarantined records are purged"
    )


class DagsterStorageConfig(StrictModel):
    """Where Dagster keeps runs and events: SQLite files under data/dagster, or PostgreSQL."""

    storage: Literal["sqlite", "postgres"] = "sqlite"
    postgres_url: SecretStr | None = None  # ${DAGSTER_PG_URL}: postgresql+psycopg2://user:pw@host:5432/db

    @model_validator(mode="after")
    def _postgres_needs_a_url(self) -> "DagsterStorageConfig":
        if self.storage == "postgres" and not self.postgres_url:
            raise ValueError("storage: postgres needs postgres_url (e.g. ${DAGSTER_PG_URL})")
        return self


class NpsConfig(StrictModel):
    # Defaults are dicts so they are validated, and their paths resolved, like a written section.
    warehouse: WarehouseConfig = Field(default_factory=lambda: {"type": "duckdb"})
    reporting: ReportingConfig = Field(default_factory=dict)
    sources: list[SourceConfigs] = Field(default_factory=list)
    quality: QualityConfig = Field(default_factory=dict)
    follow_up: FollowUpConfig = Field(default_factory=dict)
    retention: RetentionConfig = Field(default_factory=dict)
    backfill: BackfillConfig = Field(default_factory=dict)
    dagster: DagsterStorageConfig = Field(default_factory=dict)
    # Not part of the file: the folder the file lives in (relative paths start there).
    home: Path = Field(default=Path("."), exclude=True)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list) -> list:
        names = [source.name for source in sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return sources

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def sources_of_type(self, source_type: str) -> list:
        return [source for source in self.sources if source.type == source_type]


def find_config_file(explicit: str | Path | None = None) -> Path:
    """--config, else $NPS_CONFIG, else ./nps.yaml."""
    return Path(explicit or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE).resolve()


def load_config(path: str | Path) -> NpsConfig:
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found (pass --config, set ${CONFIG_ENV}, or run `nps demo`)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, found {type(data).__name__}")
    return parse_config(data, home=path.parent, origin=str(path))


def parse_config(data: dict[str, Any], home: Path, origin: str = "config") -> NpsConfig:
    data = _substitute_env(data, origin, location="")
    try:
        return NpsConfig.model_validate({**data, "home": home}, context={"base_dir": home})
    except ValidationError as error:
        problems = "\n".join(
            f"  {_location(e['loc'])}: {e['msg']}" + (f" (found {e['input']!r})" if _short(e) else "")
            for e in error.errors()
        )
        raise ConfigError(f"{origin}: invalid configuration\n{problems}") from None


def _substitute_env(value: Any, origin: str, location: str) -> Any:
    if isinstance(value, dict):
        return {k: _substitute_env(v, origin, f"{location}.{k}" if location else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, origin, f"{location}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):
        def replace(match: re.Match) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            raise ConfigError(f"{origin}: {location}: environment variable {name} is not set")

        return _ENV_REFERENCE.sub(replace, value)
    return value


def _location(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in {connector.config_model.__name__ for connector in CONNECTORS.values()} and part not in CONNECTORS:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _short(error: dict) -> bool:
    """Echo a short scalar input where it helps; never one that may be a secret."""
    value, key = error.get("input"), str(error["loc"][-1]) if error["loc"] else ""
    secret = any(word in key.lower() for word in ("token", "password", "secret", "key"))
    return (
        not secret
        and error["type"] != "extra_forbidden"
        and isinstance(value, (int, float, str))
        and len(str(value)) <= 40
    )

