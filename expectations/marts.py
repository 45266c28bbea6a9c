"""The suite every published NPS mart gets (models with `meta.publish: true` and an nps column).

The mart is profiled per period grain, survey type and reportability in the warehouse; GX validates
the profile, and a failed rule looks up a few offending mart rows by its condition.
"""
from __future__ import annotations

import pandas as pd

from expectations.responses import MISSING, SURVEY_TYPES
from expectations.runner import FrameSuite, Query, Rule


NPS_MART_COLUMNS = {
    "period_grain", "survey_type", "responses", "promoters", "passives", "detractors",
    "nps", "nps_ci_lower", "nps_ci_upper", "is_reportable",
}  # fmt: skip

COUNTS_DO_NOT_ADD_UP = "promoters + passives + detractors <> responses"
# The adjusted-Wald interval is centred off the raw NPS; for n = 1 it misses it by design, which is
# one reason groups that small are not reportable. A reportable group's interval must contain it.
INTERVAL_MISSES_NPS = "is_reportable and not (nps_ci_lower <= nps and nps <= nps_ci_upper)"


def nps_mart(query: Query, relation: str) -> FrameSuite:
    import great_expectations as gx

    E = gx.expectations
    columns = set(query(f"select * from {relation} limit 0").columns)
    if "nps" not in columns:
        note = f"{relation} has no nps column: not an NPS mart, so only its dbt tests apply"
        return FrameSuite(name=f"{relation}.nps_mart", frame=pd.DataFrame(), rules=[], notes=[note])
    missing = NPS_MART_COLUMNS - columns
    if missing:
        raise ValueError(
            f"{relation} has an nps column, so it must be an NPS mart with columns {sorted(NPS_MART_COLUMNS)};"
            f" it lacks {sorted(missing)}"
        )
    frame = query(
        f"""
        select
            period_grain,
            coalesce(survey_type, '{MISSING}') as survey_type,
            is_reportable,
            count(*) as groups,
            min(responses) as min_responses,
            min(nps) as min_nps,
            max(nps) as max_nps,
            count(*) filter (where {COUNTS_DO_NOT_ADD_UP}) as groups_whose_counts_do_not_add_up,
            count(*) filter (where {INTERVAL_MISSES_NPS}) as reportable_groups_whose_interval_misses_nps
        from {relation}
        group by 1, 2, 3
        order by 1, 2, 3
        """
    )
    return FrameSuite(
        name=f"{relation}.nps_mart",
        frame=frame,
        relation=relation,
        rules=[
            Rule(
                "nps_at_least_minus_100",
                E.ExpectColumnValuesToBeBetween(column="min_nps", min_value=-100),
                "nps < -100",
            ),
            Rule(
                "nps_at_most_100",
                E.ExpectColumnValuesToBeBetween(column="max_nps", max_value=100),
                "nps > 100",
            ),
            Rule(
                "every_group_has_responses",
                E.ExpectColumnValuesToBeBetween(column="min_responses", min_value=1),
                "responses is null or responses < 1",
            ),
            Rule(
                "survey_type_accepted",
                E.ExpectColumnValuesToBeInSet(column="survey_type", value_set=SURVEY_TYPES),
                "survey_type is null or survey_type not in ({})".format(", ".join(f"'{t}'" for t in SURVEY_TYPES)),
            ),
            Rule(
                "counts_add_up",
                E.ExpectColumnValuesToBeBetween(column="groups_whose_counts_do_not_add_up", max_value=0),
                COUNTS_DO_NOT_ADD_UP,
            ),
            Rule(
                "interval_contains_nps",
                E.ExpectColumnValuesToBeBetween(column="reportable_groups_whose_interval_misses_nps", max_value=0),
                INTERVAL_MISSES_NPS,
            ),
        ],
    )
