"""The expectation suites, defined in code. Each takes the frame it will validate and returns the
frame to validate (with derived columns where GX has no expectation for a rule) and the list of
expectations."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

SURVEY_TYPES = ["transactional", "relational"]
# A clock a little ahead of the database's does not make a response "from the future".
CLOCK_SKEW = timedelta(minutes=5)


def conformed_responses(frame: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    import great_expectations as gx

    now = datetime.now(UTC) + CLOCK_SKEW
    frame = frame.assign(is_not_in_future=pd.to_datetime(frame["responded_at"], utc=True) <= now)
    E = gx.expectations
    return frame, [
        E.ExpectColumnValuesToNotBeNull(column="response_id"),
        E.ExpectColumnValuesToBeUnique(column="response_id"),
        E.ExpectColumnValuesToNotBeNull(column="score"),
        E.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=10),
        E.ExpectColumnValuesToBeInSet(column="survey_type", value_set=SURVEY_TYPES),
        E.ExpectColumnValuesToBeInSet(column="is_not_in_future", value_set=[True]),
    ]


def nps_mart(frame: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    import great_expectations as gx

    frame = frame.assign(
        counts_add_up=frame["promoters"] + frame["passives"] + frame["detractors"] == frame["responses"],
        # The adjusted-Wald interval is centred off the raw NPS; for n = 1 it can miss it by design.
        interval_contains_nps=~frame["is_reportable"]
        | ((frame["nps_ci_lower"] <= frame["nps"]) & (frame["nps"] <= frame["nps_ci_upper"])),
    )
    E = gx.expectations
    return frame, [
        E.ExpectColumnValuesToBeBetween(column="nps", min_value=-100, max_value=100),
        E.ExpectColumnValuesToBeBetween(column="responses", min_value=1),
        E.ExpectColumnValuesToBeInSet(column="survey_type", value_set=SURVEY_TYPES),
        E.ExpectColumnValuesToBeInSet(column="counts_add_up", value_set=[True]),
        E.ExpectColumnValuesToBeInSet(column="interval_contains_nps", value_set=[True]),
    ]
