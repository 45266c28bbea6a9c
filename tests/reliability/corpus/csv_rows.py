"""Rows of a canonical CSV export, spoiled. `world` holds the row's values over a valid row; exact
quarantine reasons, as the CSV connector words them."""
from __future__ import annotations

from . import CONTROL_CHARACTERS, EMOJI_AND_SCRIPTS, LONG_COMMENT, SQL_LOOKING, Entry

VALID_ROW = {
    "response_id": "", "responded_at": "2026-03-02T09:00:00Z", "score": "9", "comment": "",
    "customer_id": "C0000001", "customer_email": "ann@example.com", "product": "internet",
    "process": "support_call", "employee_id": "E01", "survey_type": "transactional",
    "channel": "email", "language": "nl",
}  # fmt: skip

CSV_ROWS = [
    Entry("1 MB comment", world={"comment": LONG_COMMENT}, lands={"comment": LONG_COMMENT}),
    Entry("emoji and mixed scripts", world={"comment": EMOJI_AND_SCRIPTS, "customer_id": "Ç-ünïcødé-1"}, lands={"comment": EMOJI_AND_SCRIPTS, "customer_id": "Ç-ünïcødé-1"}),
    Entry("SQL-looking comment", world={"comment": SQL_LOOKING}, lands={"comment": SQL_LOOKING}),
    Entry("control characters", world={"comment": CONTROL_CHARACTERS.replace("\r\n", "\n")}, lands={"comment": CONTROL_CHARACTERS.replace("\r\n", "\n")}),
    # NUL cannot be part of a CSV field: the reader drops it and keeps the rest of the text.
    Entry("NUL byte", world={"comment": "before\x00after"}, lands={"comment": "beforeafter"}),
    Entry("score with spaces", world={"score": " 7 "}, lands={"score": 7}),
    Entry("score 11", "invalid score '11': expected an integer 0..10", world={"score": "11"}),
    Entry("score -1", "invalid score '-1': expected an integer 0..10", world={"score": "-1"}),
    Entry("score 7.5", "invalid score '7.5': expected an integer 0..10", world={"score": "7.5"}),
    Entry("score as a word", "invalid score 'seven': expected an integer 0..10", world={"score": "seven"}),
    Entry("score as an emoji", "invalid score '🔟': expected an integer 0..10", world={"score": "🔟"}),
    Entry("no score", "missing score", world={"score": ""}),
    Entry("no response id", "missing response_id", world={"response_id": None}),
    Entry("30 February", "invalid responded_at '2026-02-30T10:00:00Z': expected ISO 8601", world={"responded_at": "2026-02-30T10:00:00Z"}),
    Entry("year 0", "invalid responded_at '0000-01-01': expected ISO 8601", world={"responded_at": "0000-01-01"}),
    Entry("hour 25", "invalid responded_at '9999-12-31T25:00': expected ISO 8601", world={"responded_at": "9999-12-31T25:00"}),
    Entry("after year 9999 in UTC", "invalid responded_at '9999-12-31T23:00:00-14:00': outside years 1..9999 in UTC", world={"responded_at": "9999-12-31T23:00:00-14:00"}),
    Entry("no time", "missing responded_at", world={"responded_at": ""}),
    Entry("unknown survey type", "invalid survey_type 'nps': expected one of transactional, relational", world={"survey_type": "nps"}),
]  # fmt: skip
