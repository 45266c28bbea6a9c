"""A new detractor of a big business account is posted to the alert webhook once; a failed post
keeps it pending. Run as the Dagster asset against a local receiver."""
from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from ingestion.warehouse import open_warehouse
from orchestration.detractor_alerts import detractor_alerts
from orchestration.resources import NpsSettings

NOW = datetime.now(UTC).replace(microsecond=0)
COLUMNS = (
    "response_id, customer_id, account_name, crm_system, crm_account_id, revenue_last_12_months, score, process, "
    "employee_id, comment, responded_at, due_at, is_alert_worthy, follow_up_status"
)


def follow_up(response_id: str, hours_ago: float, alert_worthy: bool = True, status: str = "open") -> tuple:
    responded = NOW - timedelta(hours=hours_ago)
    return (
        response_id, "C0000042", "Globex BV", "hubspot", "5000000042", 25000.0, 3, "repair", "E0007",
        "Veel te lang gewacht.", responded, responded + timedelta(hours=48), alert_worthy, status,
    )  # fmt: skip


@pytest.fixture
def receiver():
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


@pytest.fixture
def config_path(tmp_path):
    with open_warehouse(tmp_path / "warehouse.duckdb") as warehouse:
        warehouse.execute("create schema marts")
        warehouse.execute(
            "create table marts.detractor_follow_up (response_id varchar, customer_id varchar, account_name varchar, "
            "crm_system varchar, crm_account_id varchar, revenue_last_12_months double, score integer, process varchar, "
            "employee_id varchar, comment varchar, responded_at timestamptz, due_at timestamptz, "
            "is_alert_worthy boolean, follow_up_status varchar)"
        )
        for row in (
            follow_up("big", hours_ago=2),
            follow_up("big_but_followed_up", hours_ago=3, status="done"),
            follow_up("small_account", hours_ago=1, alert_worthy=False),
            follow_up("long_ago", hours_ago=24 * 10, status="overdue"),
        ):
            warehouse.execute(f"insert into marts.detractor_follow_up ({COLUMNS}) values ({', '.join('?' * 14)})", row)
    path = tmp_path / "nps.yaml"
    path.write_text("warehouse: {type: duckdb, path: warehouse.duckdb}\n")
    return path


def run_asset(config_path) -> dg.MaterializeResult:
    result = dg.materialize([detractor_alerts], resources={"nps": NpsSettings(config_path=str(config_path))})
    return result.asset_materializations_for_node("detractor_alerts")[0]


def test_a_new_big_business_detractor_is_posted_once(config_path, receiver, monkeypatch):
    url, received = receiver
    monkeypatch.setenv("NPS_ALERT_WEBHOOK_URL", url)

    first = run_asset(config_path)
    second = run_asset(config_path)

    due = (NOW - timedelta(hours=2) + timedelta(hours=48)).strftime("%Y-%m-%d %H:%M")
    assert [message["text"] for message in received] == [
        "1 new detractor(s) of big business accounts need a follow-up:\n"
        f'- Globex BV (hubspot 5000000042, revenue 25,000): score 3, process repair, due {due} UTC. "Veel te lang gewacht."'
    ]
    assert [d["response_id"] for d in received[0]["detractors"]] == ["big"]
    assert (first.metadata["new_detractors"].value, first.metadata["posted"].value) == (1, True)
    assert (second.metadata["new_detractors"].value, second.metadata["posted"].value) == (0, False)


def test_an_alert_that_could_not_be_posted_is_posted_on_the_next_run(config_path, receiver, monkeypatch):
    url, received = receiver
    monkeypatch.delenv("NPS_ALERT_WEBHOOK_URL", raising=False)
    unposted = run_asset(config_path)
    monkeypatch.setenv("NPS_ALERT_WEBHOOK_URL", url)

    run_asset(config_path)

    assert (unposted.metadata["new_detractors"].value, unposted.metadata["posted"].value) == (1, False)
    assert [[d["response_id"] for d in message["detractors"]] for message in received] == [["big"]]
