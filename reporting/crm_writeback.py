"""CRM write-back: every CRM object whose customer's latest rating changed since the last write-back
gets it, in the fields `writeback.properties` of its source names.

- HubSpot: `POST /crm/v3/objects/{companies|contacts}/batch/update`, at most 100 objects per call;
- Salesforce: `PATCH /services/data/vXX.X/composite/sobjects` (sObject collections), at most 200.

What the CRM should hold comes from `marts.crm_writeback_ratings`; what was written is kept in
`writeback.crm_rating_state`, so a second run writes nothing and a failed batch stays pending for the
next run. Requests go through the shared HTTP layer (retries on 429 and 5xx). The pending objects are
read a page at a time, in the order of their ids: a first write-back finds one per rated customer and
CRM (millions at ten million responses), which are not held in memory at once.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from ingestion.connectors import hubspot, salesforce
from ingestion.connectors.base import SourceConfig
from ingestion.http import ApiError, HttpClient
from ingestion.warehouse import Warehouse

RATINGS_SCHEMA, RATINGS_TABLE = "marts", "crm_writeback_ratings"
RATINGS_RELATION = f"{RATINGS_SCHEMA}.{RATINGS_TABLE}"
STATE_SCHEMA = "writeback"
STATE_TABLE = f"{STATE_SCHEMA}.crm_rating_state"
STATE_COLUMNS = {
    "source_name": "varchar",
    "object_type": "varchar",
    "crm_object_id": "varchar",
    "score": "integer",
    "category": "varchar",
    "responded_at": "timestamp with time zone",
    "written_at": "timestamp with time zone",
}
PENDING_TABLE = "pending_crm_ratings"  # temporary, per connection
PAGE_SIZE = 10_000  # pending objects read at once; a multiple of every CRM's batch limit
SAMPLE_SIZE = 20  # pending objects a dry run lists


@dataclass(frozen=True)
class RatingChange:
    """One CRM object and the rating it should now hold."""

    object_type: str  # account | contact
    crm_object_id: str
    customer_id: str | None
    score: int
    category: str
    responded_at: datetime


@dataclass
class WritebackResult:
    source: str
    object_type: str
    dry_run: bool
    pending: int = 0  # objects found whose rating differs from what was last written to them
    sample: list[RatingChange] = field(default_factory=list)  # the first SAMPLE_SIZE of them
    written: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)  # "<object id>: <reason>"
    stopped: str | None = None  # why the rest was not sent (the CRM unavailable): it stays pending


# (http client, the batch, the source) -> (ids written, failures "<id>: <reason>")
BatchSender = Callable[[HttpClient, list[RatingChange], Any], tuple[set[str], list[str]]]


def ensure_state_table(warehouse: Warehouse) -> None:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in STATE_COLUMNS.items())
    warehouse.execute(f"create schema if not exists {STATE_SCHEMA}")
    warehouse.execute(
        f"create table if not exists {STATE_TABLE} "
        f"({columns}, primary key (source_name, object_type, crm_object_id))"
    )


def pending_pages(warehouse: Warehouse, source_name: str, object_type: str) -> Iterator[list[RatingChange]]:
    """The objects of a source whose latest rating differs from what was last written to them,
    PAGE_SIZE at a time, by id. They are found once, into a temporary table (the warehouse holds
    them, not Python), then read page by page; pages are not a LIMIT on the finding query itself,
    which DuckDB 2.0 ignores when a filter it pushes into the left join leaves the right side empty."""
    ensure_state_table(warehouse)
    built = warehouse.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        (RATINGS_SCHEMA, RATINGS_TABLE),
    )[0][0]
    if not built:
        raise LookupError(
            f"write-back: expected the dbt model {RATINGS_RELATION} in the warehouse, found none; "
            "run `nps refresh` first"
        )
    warehouse.execute(f"drop table if exists {PENDING_TABLE}")
    warehouse.execute(
        f"""
        create temporary table {PENDING_TABLE} as
        select ratings.object_type, ratings.crm_object_id, ratings.customer_id,
               ratings.latest_score, ratings.latest_nps_category, ratings.last_rated_at
        from {RATINGS_RELATION} as ratings
        left join {STATE_TABLE} as state
            on state.source_name = ratings.source_name
            and state.object_type = ratings.object_type
            and state.crm_object_id = ratings.crm_object_id
        where ratings.source_name = ? and ratings.object_type = ?
            and (
                state.crm_object_id is null
                or state.score is distinct from ratings.latest_score
                or state.category is distinct from ratings.latest_nps_category
                or state.responded_at is distinct from ratings.last_rated_at
            )
        """,
        (source_name, object_type),
    )
    after = ""
    while rows := warehouse.execute(
        f"select * from {PENDING_TABLE} where crm_object_id > ? order by crm_object_id limit {int(PAGE_SIZE)}",
        (after,),
    ):
        yield [RatingChange(r[0], str(r[1]), r[2], int(r[3]), r[4], _utc(r[5])) for r in rows]
        after = str(rows[-1][1])
    warehouse.execute(f"drop table {PENDING_TABLE}")


def record_written(
    warehouse: Warehouse, source_name: str, changes: list[RatingChange], written_at: datetime
) -> None:
    if not changes:
        return
    frame = pd.DataFrame(
        [
            (source_name, c.object_type, c.crm_object_id, c.score, c.category, c.responded_at, written_at)
            for c in changes
        ],
        columns=list(STATE_COLUMNS),
    )
    warehouse.load_temp_table("written_ratings", frame, STATE_COLUMNS)
    columns = ", ".join(STATE_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in ("score", "category", "responded_at", "written_at"))
    warehouse.execute(
        f"insert into {STATE_TABLE} ({columns}) select {columns} from written_ratings "
        f"on conflict (source_name, object_type, crm_object_id) do update set {updates}"
    )


def iso_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def rating_values(change: RatingChange, properties: Any) -> dict[str, Any]:
    return {
        properties.score: change.score,
        properties.category: change.category,
        properties.responded_at: iso_timestamp(change.responded_at),
    }


def send_hubspot_batch(
    http: HttpClient, batch: list[RatingChange], source: hubspot.HubSpotSourceConfig
) -> tuple[set[str], list[str]]:
    object_name = "companies" if source.writeback.object == "account" else "contacts"
    properties = source.writeback.properties
    body = {
        "inputs": [
            {"id": c.crm_object_id, "properties": {k: str(v) for k, v in rating_values(c, properties).items()}}
            for c in batch
        ]
    }
    reply = http.post_json(f"crm/v3/objects/{object_name}/batch/update", body, page=False) or {}
    written = {str(item.get("id")) for item in reply.get("results") or []}
    # A 207 reply lists the inputs that failed under `errors`, each with the ids in its context.
    failures = [
        f"{object_id}: {problem.get('message')}"
        for problem in reply.get("errors") or []
        for object_id in (problem.get("context") or {}).get("ids") or ["?"]
    ]
    return written, failures


def send_salesforce_batch(
    http: HttpClient, batch: list[RatingChange], source: salesforce.SalesforceSourceConfig
) -> tuple[set[str], list[str]]:
    sobject = "Account" if source.writeback.object == "account" else "Contact"
    properties = source.writeback.properties
    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": sobject}, "id": c.crm_object_id, **rating_values(c, properties)}
            for c in batch
        ],
    }
    path = f"services/data/{source.api_version}/composite/sobjects"
    reply = http.request("PATCH", path, json_body=body, page=False)
    written, failures = set(), []
    for change, outcome in zip(batch, reply.json_body or []):
        if outcome.get("success"):
            written.add(change.crm_object_id)
        else:
            errors = outcome.get("errors") or []
            reasons = "; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in errors)
            failures.append(f"{change.crm_object_id}: {reasons or 'not updated'}")
    return written, failures


@dataclass(frozen=True)
class CrmWriter:
    client: Callable[[Any], HttpClient]
    batch_limit: int
    send: BatchSender


WRITERS: dict[str, CrmWriter] = {
    "hubspot": CrmWriter(hubspot.client, 100, send_hubspot_batch),
    "salesforce": CrmWriter(salesforce.client, 200, send_salesforce_batch),
}


def writeback_sources(sources: Iterable[SourceConfig]) -> list[SourceConfig]:
    """The CRM sources with `writeback.enabled`."""
    return [s for s in sources if s.type in WRITERS and s.writeback.enabled]  # type: ignore[attr-defined]


def write_back(
    warehouse: Warehouse, source: Any, dry_run: bool = False, now: datetime | None = None
) -> WritebackResult:
    """Send one source's changed ratings in batches; with dry_run, only find them."""
    writer = WRITERS[source.type]
    result = WritebackResult(source.name, source.writeback.object, dry_run)
    with contextlib.ExitStack() as stack:
        http = None
        for page in pending_pages(warehouse, source.name, source.writeback.object):
            result.pending += len(page)
            result.sample += page[: SAMPLE_SIZE - len(result.sample)]
            if dry_run:
                continue
            http = http or stack.enter_context(writer.client(source))
            for start in range(0, len(page), writer.batch_limit):
                batch = page[start : start + writer.batch_limit]
                result.requests += 1
                crm_down = False
                try:
                    written_ids, failures = writer.send(http, batch, source)
                except ApiError as error:
                    written_ids, failures = set(), [f"{c.crm_object_id}: {error}" for c in batch]
                    crm_down = crm_unavailable(error)
                written = [c for c in batch if c.crm_object_id in written_ids]
                record_written(warehouse, source.name, written, now or datetime.now(UTC))
                result.written += len(written)
                result.failures += failures
                if crm_down:
                    # Every batch would spend the same retries (minutes each): the rest wait for the next run.
                    result.stopped = f"{source.name} unavailable, the rest not sent"
                    return result
    return result


def crm_unavailable(error: ApiError) -> bool:
    """The CRM could not be reached or stayed overloaded or failing through every retry (as opposed to
    refusing this batch's values)."""
    return error.status is None or error.status == 429 or error.status >= 500


def describe(result: WritebackResult, limit: int = SAMPLE_SIZE) -> list[str]:
    """Lines for the command line: what changed (or would change) in which source."""
    verb = "would write" if result.dry_run else "wrote"
    count = result.pending if result.dry_run else result.written
    lines = [f"{result.source}: {verb} the latest rating of {count} {result.object_type}(s)"]
    if result.dry_run:
        lines += [
            f"  {c.object_type} {c.crm_object_id} (customer {c.customer_id}): score {c.score}, "
            f"{c.category}, responded {iso_timestamp(c.responded_at)}"
            for c in result.sample[:limit]
        ]
        if result.pending > limit:
            lines.append(f"  ... and {result.pending - limit} more")
    if result.failures:
        failed = len(result.failures)
        lines.append(f"  {failed} failed (pending for the next run), e.g. {result.failures[0]}")
    if result.stopped:
        lines.append(f"  stopped: {result.stopped} (pending for the next run)")
    return lines


def _utc(value: Any) -> datetime:
    moment = pd.Timestamp(value).to_pydatetime()
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
