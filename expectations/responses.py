"""Suites on survey responses, raw (per source type) and conformed.

Each builds its frame in the warehouse - a profile of the values the rules are about, grouped, so a
ten-million-row table becomes a few dozen rows - and validates that frame with GX.
"""
from __future__ import annotations

from datetime import datetime
from typing import get_args

import pandas as pd

from expectations.runner import LATEST_BATCH_SQL, FrameSuite, Query, Rule
from expectations.thresholds import UnmatchedCustomerThresholds
from ingestion.connectors.base import SurveyType


SURVEY_TYPES = list(get_args(SurveyType))
MISSING = "(missing)"
# What a response says about its respondent, shown with an unmatched response.
CUSTOMER_COLUMNS = {"crm_customer_id", "customer_email_normalized", "customer_id", "has_matched_customer"}  # stands for NULL in profiles, so an in-set rule sees it


def response_values(
    query: Query,
    relation: str,
    now: datetime,
    source_column: str = "source_name",
    id_column: str = "source_response_id",
) -> FrameSuite:
    """score 0..10 and present, survey type accepted, responded_at present and not in the future.
    The columns as raw tables name them differ from the models': `_source`, `response_id`."""
    import great_expectations as gx

    E = gx.expectations
    frame = query(
        f"""
        select
            {source_column} as source_name,
            score,
            coalesce(survey_type, '{MISSING}') as survey_type,
            case
                when responded_at is null then 'missing'
                when responded_at > ? then 'future'
                else 'past'
            end as responded,
            count(*) as responses,
            max(responded_at) as latest_responded_at,
            (array_agg({id_column}))[1:3] as example_response_ids
        from {relation}
        group by 1, 2, 3, 4
        order by 1, 2, 3, 4
        """,
        [now],
    )
    types = ", ".join(f"'{value}'" for value in SURVEY_TYPES)
    return FrameSuite(
        name=f"{relation}.values",
        frame=frame,
        relation=relation,
        shown_columns=f"{source_column}, {id_column}, responded_at, score, survey_type",
        rules=[
            Rule("score_present", E.ExpectColumnValuesToNotBeNull(column="score"), "score is null"),
            Rule(
                "score_in_range",
                E.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=10),
                "score not between 0 and 10",
            ),
            Rule(
                "survey_type_accepted",
                E.ExpectColumnValuesToBeInSet(column="survey_type", value_set=SURVEY_TYPES),
                f"survey_type is null or survey_type not in ({types})",
            ),
            Rule(
                "responded_at_not_in_future",
                E.ExpectColumnValuesToBeInSet(column="responded", value_set=["past"]),
                # the clock moves on between profile and lookup; the profile's rows are what failed
                f"responded_at is null or responded_at > timestamptz '{now.isoformat()}'",
            ),
        ],
    )


def unmatched_customers(
    query: Query,
    relation: str,
    customers: str | None,
    latest_loads: str | None,
    thresholds: UnmatchedCustomerThresholds,
) -> FrameSuite:
    """Share of responses without a matched customer per source, in all its responses and in its
    latest load (`latest_loads`: SQL giving source_name, loaded_from). A share over fewer than
    `min_responses` responses is not judged (left empty). Without customers to match against (no
    CRM source, so `customers` is empty or missing) the rule is not checked, and says so."""
    import great_expectations as gx

    E = gx.expectations
    columns = set(query(f"select * from {relation} limit 0").columns)
    if "has_matched_customer" in columns:
        unmatched = "not coalesce(has_matched_customer, false)"
    elif "customer_id" in columns:
        unmatched = "customer_id is null"
    else:
        unmatched = None
    if unmatched is None:
        note = f"{relation} has no customer_id or has_matched_customer column yet"
    elif customers is None or int(query(f"select count(*) as n from {customers}")["n"][0]) == 0:
        note = f"there are no customers to match against ({customers or 'no customer model'} is empty)"
    else:
        note = None
    if note:
        return FrameSuite(
            name=f"{relation}.customers", frame=pd.DataFrame(), rules=[], notes=[f"unmatched customers not checked: {note}"]
        )
    latest = latest_loads or "select null as source_name, null as loaded_from where false"
    frame = query(
        f"""
        with
        latest_loads as ({latest}),
        scoped as (
            select
                responses.source_name,
                {unmatched} as is_unmatched,
                coalesce(responses.loaded_at >= latest_loads.loaded_from, false) as is_in_latest_load
            from {relation} as responses
            left join latest_loads on latest_loads.source_name = responses.source_name
        ),
        counted as (
            select source_name, 'all responses' as scope, count(*) as responses,
                count(*) filter (where is_unmatched) as unmatched
            from scoped group by 1
            union all
            select source_name, 'latest load' as scope, count(*) as responses,
                count(*) filter (where is_unmatched) as unmatched
            from scoped where is_in_latest_load group by 1
        )
        select
            *,
            case when responses >= ? then cast(unmatched as double) / responses end as unmatched_share
        from counted
        order by source_name, scope
        """,
        [thresholds.min_responses],
    )
    return FrameSuite(
        name=f"{relation}.customers",
        frame=frame,
        relation=relation,
        shown_columns=f"source_name, source_response_id, responded_at, {', '.join(sorted(columns & CUSTOMER_COLUMNS))}",
        rules=[
            Rule(
                "unmatched_customer_share_below_threshold",
                E.ExpectColumnValuesToBeBetween(column="unmatched_share", max_value=thresholds.max_share),
                unmatched,
            )
        ],
    )


def latest_loads_sql(raw_tables: list[str]) -> str | None:
    """Per source: its latest load (the batch landed last) and when that load began."""
    if not raw_tables:
        return None
    return "\nunion all\n".join(
        f"""select raw._source as source_name, raw._batch_id as batch_id, min(raw._loaded_at) as loaded_from
        from {table} as raw
        join ({LATEST_BATCH_SQL.format(table=table)}) as latest
            on latest._source = raw._source and latest.batch_id = raw._batch_id
        group by 1, 2"""
        for table in raw_tables
    )
