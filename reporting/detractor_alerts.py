"""Alerts on new detractors of big business accounts: a business customer whose won revenue in the
year before the answer reaches dbt var `follow_up_alert_min_revenue` (dbt_project.yml) and who is
not followed up yet. Each is posted once (kept in `writeback.alerted_responses`); a post that fails
leaves them pending for the next run. Only answers of the last `max_age_hours` count as new, so a
first run on years of history alerts nobody about the past."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from ingestion.warehouse import Warehouse

FOLLOW_UP_RELATION = "marts.detractor_follow_up"
ALERTED_TABLE = "writeback.alerted_responses"
DEFAULT_MAX_AGE_HOURS = 72


@dataclass(frozen=True)
class DetractorAlert:
    response_id: str
    customer_id: str
    account_name: str | None
    crm_system: str | None
    crm_account_id: str | None
    revenue_last_12_months: float
    score: int
    process: str | None
    employee_id: str | None
    comment: str | None
    responded_at: datetime
    due_at: datetime


def new_alerts(warehouse: Warehouse, now: datetime, max_age_hours: float = DEFAULT_MAX_AGE_HOURS) -> list[DetractorAlert]:
    _ensure_alerted_table(warehouse)
    rows = warehouse.execute(
        f"""
        select response_id, customer_id, account_name, crm_system, crm_account_id, revenue_last_12_months,
               score, process, employee_id, comment, responded_at, due_at
        from {FOLLOW_UP_RELATION}
        where is_alert_worthy
            and follow_up_status <> 'done'
            and responded_at >= ?
            and response_id not in (select response_id from {ALERTED_TABLE})
        order by revenue_last_12_months desc, responded_at, response_id
        """,
        (now - timedelta(hours=max_age_hours),),
    )
    return [
        DetractorAlert(*row[:5], float(row[5]), int(row[6]), row[7], row[8], row[9], _utc(row[10]), _utc(row[11]))
        for row in rows
    ]


def alert_message(alerts: list[DetractorAlert]) -> dict[str, Any]:
    """Slack-compatible `text`, with the detractors alongside for other receivers."""
    lines = [f"{len(alerts)} new detractor(s) of big business accounts need a follow-up:"]
    for alert in alerts:
        comment = f' "{alert.comment}"' if alert.comment else ""
        lines.append(
            f"- {alert.account_name or alert.customer_id} ({alert.crm_system} {alert.crm_account_id}, "
            f"revenue {alert.revenue_last_12_months:,.0f}): score {alert.score}, process {alert.process}, "
            f"due {alert.due_at:%Y-%m-%d %H:%M} UTC.{comment}"
        )
    detractors = [
        {
            **{k: v for k, v in vars(alert).items() if k not in ("responded_at", "due_at")},
            "responded_at": alert.responded_at.isoformat(),
            "due_at": alert.due_at.isoformat(),
        }
        for alert in alerts
    ]
    return {"text": "\n".join(lines), "kind": "detractor_follow_up", "detractors": detractors}


def mark_alerted(warehouse: Warehouse, alerts: list[DetractorAlert], now: datetime) -> None:
    if not alerts:
        return
    frame = pd.DataFrame([(a.response_id, now) for a in alerts], columns=["response_id", "alerted_at"])
    warehouse.load_temp_table("new_alerted_responses", frame, {"response_id": "varchar", "alerted_at": "timestamp with time zone"})
    warehouse.execute(f"insert into {ALERTED_TABLE} select response_id, alerted_at from new_alerted_responses")


def _ensure_alerted_table(warehouse: Warehouse) -> None:
    warehouse.execute("create schema if not exists writeback")
    warehouse.execute(
        f"create table if not exists {ALERTED_TABLE} (response_id varchar primary key, alerted_at timestamp with time zone)"
    )


def _utc(value: Any) -> datetime:
    moment = pd.Timestamp(value).to_pydatetime()
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
