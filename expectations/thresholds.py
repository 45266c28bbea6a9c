"""The `quality:` section of nps.yaml: the thresholds the checks hold the data to.

Every value has a default, so a config without the section gets the gate as documented here.
"""
from __future__ import annotations

from pydantic import Field, model_validator

from ingestion.connectors.base import StrictModel


class UnmatchedCustomerThresholds(StrictModel):
    # Share of responses without a matched customer, per source, in all its responses and in its
    # latest load; above it, customer-level numbers would silently lose responses.
    max_share: float = Field(default=0.2, ge=0, le=1)
    # A latest load smaller than this is too small to judge a share on.
    min_responses: int = Field(default=50, ge=1)


class DailyVolumeThresholds(StrictModel):
    """Each day a source's latest load touched, against the median day of the trailing window."""

    trailing_days: int = Field(default=28, ge=7)
    # A day below min_ratio x the trailing median is a sudden drop (a 90 % drop is 0.1) ...
    min_ratio: float = Field(default=0.25, ge=0)
    # ... and above max_ratio x the median a duplicated load (a batch loaded twice is 2.0).
    max_ratio: float = Field(default=1.75, gt=1)
    # Days whose trailing median is below this are too small to judge (noise, not an incident).
    min_baseline: int = Field(default=20, ge=1)
    # Fewer days of history than this in the window and the day is not judged.
    min_history_days: int = Field(default=7, ge=1)

    @model_validator(mode="after")
    def _band(self) -> "DailyVolumeThresholds":
        if self.min_ratio >= self.max_ratio:
            raise ValueError(f"min_ratio ({self.min_ratio}) must be below max_ratio ({self.max_ratio})")
        return self


class FreshnessThresholds(StrictModel):
    """Per source: how old its newest response and its last load may be; in the marts, how old the
    newest response may be; and how long each refreshed asset may go without a materialization."""

    max_response_age_hours: float = Field(default=48, gt=0)
    max_load_age_hours: float = Field(default=48, gt=0)
    # Ingestion, the published marts, the customer database and the reporting database are late
    # (Dagster freshness policy: the UI and `nps status`) this long after their last materialization.
    max_refresh_age_hours: float = Field(default=26, ge=1)  # a nightly, plus its run time
    # A stale source or mart is shown (WARN) but does not stop publishing, unless this is true.
    blocking: bool = False


class QualityConfig(StrictModel):
    unmatched_customers: UnmatchedCustomerThresholds = Field(default_factory=UnmatchedCustomerThresholds)
    daily_volume: DailyVolumeThresholds = Field(default_factory=DailyVolumeThresholds)
    freshness: FreshnessThresholds = Field(default_factory=FreshnessThresholds)
    # A response up to this many minutes ahead of our clock is clock skew, not "from the future".
    clock_skew_minutes: int = Field(default=5, ge=0)
