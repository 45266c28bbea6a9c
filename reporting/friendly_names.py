"""Column names as a reader says them, for BI tools and the report: nps_ci_lower -> 'NPS 95 % interval,
lower'. Known names are spelled out; any other snake_case name is turned into words."""
from __future__ import annotations

import re

KNOWN = {
    "period_grain": "Period grain",
    "period_start": "Period start",
    "survey_type": "Survey type",
    "employee_id": "Employee",
    "customer_id": "Customer",
    "nps": "NPS",
    "nps_margin_of_error": "NPS margin of error (95 %)",
    "nps_ci_lower": "NPS 95 % interval, lower",
    "nps_ci_upper": "NPS 95 % interval, upper",
    "is_reportable": "Reportable",
    "nps_previous": "NPS previous period",
    "nps_change": "NPS change",
    "change_is_significant": "Change is significant",
    "nps_weighted": "NPS weighted to customer base",
    "baseline_nps": "Baseline NPS",
    "target_nps": "Target NPS",
    "target_date": "Target date",
    "gap_to_target": "Gap to target",
    "nps_shrunk": "Shrunk NPS",
    "nps_category": "NPS category",
}
WORDS = {"nps": "NPS", "id": "ID", "ci": "CI", "crm": "CRM", "sla": "SLA", "pct": "%"}


def friendly_name(column: str) -> str:
    if column in KNOWN:
        return KNOWN[column]
    words = [WORDS.get(word, word) for word in re.split(r"_+", column.strip("_")) if word]
    if words and words[0] in ("is", "has"):
        words = words[1:] + ["?"] if len(words) > 1 else words
    text = " ".join(words).replace(" ?", "?")
    return text[:1].upper() + text[1:]
