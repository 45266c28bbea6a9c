"""Alerts to a webhook, and one refresh at a time."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestration import refresh
from orchestration.alerts import alert_message, post_alert
from orchestration.refresh import RefreshAlreadyRunning, RefreshOutcome, refresh_lock, run_refresh
from tests.conftest import write_config


@pytest.fixture
def receiver():
    """A local webhook receiver that records the JSON bodies posted to it."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


def test_a_failed_refresh_posts_a_slack_compatible_alert(tmp_path, monkeypatch, receiver):
    url, received = receiver
    monkeypatch.setenv("NPS_ALERT_WEBHOOK_URL", url)
    failed = RefreshOutcome(success=False, run_id="run-9", failed_checks=["marts/nps_overall: gx_nps_mart"])
    monkeypatch.setattr(refresh, "_execute", lambda *args: failed)

    outcome = run_refresh(write_config(tmp_path, {}))

    assert outcome is failed
    assert received == [{
        "text": "NPS refresh failed (run run-9); reporting was left as it was.\n"
                "- failed check: marts/nps_overall: gx_nps_mart",
        "run_id": "run-9",
        "failed_steps": [],
        "failed_checks": ["marts/nps_overall: gx_nps_mart"],
    }]


def test_a_successful_refresh_posts_nothing(tmp_path, monkeypatch, receiver):
    url, received = receiver
    monkeypatch.setenv("NPS_ALERT_WEBHOOK_URL", url)
    monkeypatch.setattr(refresh, "_execute", lambda *args: RefreshOutcome(success=True, run_id="ok"))

    run_refresh(write_config(tmp_path, {}))

    assert received == []


def test_an_unreachable_or_unset_webhook_does_not_raise(monkeypatch):
    monkeypatch.delenv("NPS_ALERT_WEBHOOK_URL", raising=False)
    assert post_alert(alert_message("r", [], [])) is False
    assert post_alert(alert_message("r", [], []), url="http://127.0.0.1:9/none", timeout=1) is False


def test_a_second_refresh_of_the_same_warehouse_refuses_while_the_first_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(refresh, "_execute", lambda *args: RefreshOutcome(success=True, run_id="second"))
    path = write_config(tmp_path, {})

    with refresh_lock(tmp_path / "data"):
        with pytest.raises(RefreshAlreadyRunning, match=r"another refresh is running \(pid \d+\)"):
            run_refresh(path)

    assert run_refresh(path).run_id == "second"


def test_new_or_changed_csv_exports_start_one_refresh_each(tmp_path):
    import dagster as dg

    from datetime import UTC, datetime, timedelta

    from orchestration.definitions import build_definitions
    from tests.conftest import write_csv

    write_csv(tmp_path / "exports" / "a.csv", ["r1,2026-01-01T00:00:00Z,9"], header="response_id,responded_at,score")
    defs = build_definitions(write_config(tmp_path, {"sources": [{"name": "e", "type": "csv", "path": "exports/*.csv"}]}))
    sensor, repository = defs.resolve_sensor_def("new_csv_exports"), defs.get_repository_def()

    context = dg.build_sensor_context(cursor=None, repository_def=repository)
    first = list(sensor.evaluate_tick(context).run_requests)
    unchanged = sensor.evaluate_tick(dg.build_sensor_context(cursor=context.cursor, repository_def=repository))
    write_csv(tmp_path / "exports" / "b.csv", ["r2,2026-01-02T00:00:00Z,3"], header="response_id,responded_at,score")
    added = sensor.evaluate_tick(dg.build_sensor_context(cursor=context.cursor, repository_def=repository))

    assert len(first) == 1 and first[0].job_name in (None, "nightly_refresh")
    # The newest day partition: the ordinary load, not a backfill.
    assert first[0].partition_key == (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert unchanged.run_requests == [] and "no new or changed CSV exports" in unchanged.skip_message
    assert len(added.run_requests) == 1 and added.run_requests[0].run_key != first[0].run_key
