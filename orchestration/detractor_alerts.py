"""New detractors of big business accounts go to the alert webhook (reporting/detractor_alerts.py)."""
from datetime import UTC, datetime

import dagster as dg

from ingestion.warehouse import open_warehouse
from orchestration.alerts import post_alert
from orchestration.publish import reporting_database
from orchestration.resources import NpsSettings
from reporting.detractor_alerts import alert_message, mark_alerted, new_alerts


@dg.asset(
    key="detractor_alerts",
    group_name="publish",
    deps=[reporting_database],
    description="Posts new detractors of business accounts above the revenue threshold to $NPS_ALERT_WEBHOOK_URL, once each.",
    pool="warehouse",
)
def detractor_alerts(context: dg.AssetExecutionContext, nps: NpsSettings) -> dg.MaterializeResult:
    config = nps.load()
    now = datetime.now(UTC)
    with open_warehouse(config.warehouse) as warehouse:
        alerts = new_alerts(warehouse, now)
        posted = bool(alerts) and post_alert(alert_message(alerts))
        if posted:
            mark_alerted(warehouse, alerts, now)
    if alerts and not posted:
        context.log.warning(f"{len(alerts)} detractor alert(s) not posted (no webhook, or it failed); kept for the next run")
    return dg.MaterializeResult(metadata={"new_detractors": len(alerts), "posted": posted})
