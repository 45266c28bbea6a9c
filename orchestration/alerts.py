"""Alerts: a failed run or a failed blocking check posts a JSON message to a webhook.

The URL comes from the environment (NPS_ALERT_WEBHOOK_URL) and is never logged; the body is
Slack-compatible (`text`) with the details alongside for other receivers.
"""
import os

import dagster as dg
import requests

WEBHOOK_ENV = "NPS_ALERT_WEBHOOK_URL"


def alert_message(run_id: str, failed_steps: list[str], failed_checks: list[str]) -> dict:
    lines = [f"NPS refresh failed (run {run_id}); reporting was left as it was."]
    lines += [f"- failed check: {check}" for check in failed_checks]
    lines += [f"- failed step: {step.splitlines()[0]}" for step in failed_steps]
    return {"text": "\n".join(lines), "run_id": run_id, "failed_steps": failed_steps, "failed_checks": failed_checks}


def post_alert(message: dict, url: str | None = None, timeout: float = 10.0) -> bool:
    """Post `message`; False (not an exception) when no webhook is configured or it fails: an alert
    must never turn a failed run into a crashed one."""
    url = url or os.environ.get(WEBHOOK_ENV)
    if not url:
        return False
    try:
        response = requests.post(url, json=message, timeout=timeout)
    except requests.RequestException:
        return False
    return response.ok


@dg.run_failure_sensor(
    name="alert_on_failed_run",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Posts failed runs (a failed blocking check fails its run) to ${WEBHOOK_ENV}.",
)
def alert_on_failed_run(context: dg.RunFailureSensorContext) -> None:
    failed_steps = [
        f"{event.step_key}: {event.message}" for event in context.get_step_failure_events()
    ]
    post_alert(alert_message(context.dagster_run.run_id, failed_steps, []))
