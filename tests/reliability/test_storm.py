"""A whole `nps refresh` through a storm of API faults at every source at once: runs of 429s with
Retry-After, bursts of 5xx, timeouts, cut-off bodies and pages served twice. With one source failing
for good, the refresh fails naming it, its cursor stays with what landed and the other sources land in
full; once that source answers again, the next refresh, still in the storm, lands and publishes
exactly the world."""
from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import UTC, datetime

import pytest

from ingestion.emulators import EmulatorServer, Faults
from tests.reliability.refresh_process import (
    AfterFirstDealsBatch,
    RefreshProcess,
    assert_deals_stopped_between_batches,
    assert_lands_the_world,
    assert_publishes_the_world,
    reporting_snapshot,
    served_demo_home,
)

STORM = Faults(
    rate_429=0.05,
    rate_500=0.05,
    retry_after_seconds=5,  # scaled down by the sources' server_wait_scale
    timeout_rate=0.02,
    timeout_seconds=3,  # the sources give up reading after 1 s
    truncate_rate=0.03,
    duplicate_page_rate=0.1,
    enforce_rate_limits=False,
    seed=11,
)
API_VENDORS = ("qualtrics", "surveymonkey", "typeform", "delighted", "hubspot")


class FaultTally:
    """What the emulator did to the requests it answered (wraps its dispatch and page replay)."""

    def __init__(self, server: EmulatorServer):
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        dispatch, duplicate_page = server.dispatch, server.duplicate_page

        def counted_dispatch(request):
            response, fault = dispatch(request)
            self._add(fault or str(response.status))
            return response, fault

        def counted_duplicate_page() -> bool:
            replay = duplicate_page()
            if replay:
                self._add("duplicate page")
            return replay

        server.dispatch, server.duplicate_page = counted_dispatch, counted_duplicate_page

    def _add(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1


def script_bursts(server: EmulatorServer) -> None:
    """Each vendor's first six requests are rate limited, and four more fail after three good ones."""
    for vendor in API_VENDORS:
        server.fail_next(vendor, 429, count=6, retry_after=30)
        server.fail_next(vendor, 503, count=4, skip=3)


@pytest.mark.slow
def test_a_refresh_in_an_api_storm_lands_exactly_the_world_or_fails_naming_the_source(tmp_path):
    today = datetime.now(UTC).date()
    with served_demo_home(tmp_path, STORM) as home:
        tally = FaultTally(home.server)
        script_bursts(home.server)
        # HubSpot's deal list fails for good once its first landing batch is in.
        broken = AfterFirstDealsBatch(home.server, lambda: home.server.vendors["hubspot"].server_error(500))

        failing = RefreshProcess(home.config)
        assert failing.finish() == 1, failing.output
        failure = r"failed step: raw__hubspot__deals: .*hubspot: GET \S+/crm/v3/objects/deals failed after 12 attempt"
        assert re.search(failure, failing.output), failing.output
        assert_lands_the_world(home, but="hubspot__deals")
        assert_deals_stopped_between_batches(home, home.warehouse)
        assert reporting_snapshot(home.data / "reporting.duckdb") is None  # nothing modelled, nothing published

        broken.remove()
        script_bursts(home.server)
        recovering = RefreshProcess(home.config)
        assert recovering.finish() == 0, recovering.output
        assert_lands_the_world(home)
        assert_publishes_the_world(home, today)

    storm = tally.counts
    assert all(storm[kind] > 0 for kind in ("429", "500", "503", "timeout", "truncate", "duplicate page")), storm
