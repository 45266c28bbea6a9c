"""Salesforce REST API: `GET /services/data/vXX.X/query?q=<SOQL>` and its `nextRecordsUrl`, and
`PATCH /services/data/vXX.X/composite/sobjects` (sObject collections update, at most 200 records,
`allOrNone`; every field is accepted, as if the org had it; answers one {id, success, errors} per
record). Tasks are the world's synthesised follow-up activities (see world.follow_up_activities).

The SOQL understood is what an extract needs: `SELECT f1, f2 FROM Account|Contact|Opportunity|Task
[WHERE SystemModstamp >= <datetime> [AND SystemModstamp < <datetime>]] [ORDER BY f [ASC|DESC], ...]`;
anything else is MALFORMED_QUERY. Pages hold `batchSize` records (Sforce-Query-Options, 200..2000, default 2000).
Errors are JSON arrays [{"message", "errorCode"}]; once `daily_limit` requests have been made, every
request is 403 REQUEST_LIMIT_EXCEEDED. Replies carry `Sforce-Limit-Info: api-usage=n/limit`.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

from ingestion.connectors.fields import RecordError, timestamp
from ingestion.emulators.common import bearer
from ingestion.emulators.rows import Row
from ingestion.emulators.server import Request, Response, Vendor
from ingestion.emulators.world import KEYS

SOBJECTS = {"Account": "customers", "Contact": "contacts", "Opportunity": "deals", "Task": "activities"}
ID_PREFIX = {"Account": "001", "Contact": "003", "Opportunity": "006", "Task": "00T"}
TASK_STATUS = {"COMPLETED": "Completed", "NOT_STARTED": "Not Started"}
COLLECTION_LIMIT = 200
STAGES = {"closedwon": "Closed Won", "closedlost": "Closed Lost"}
_QUERY = re.compile(r"^/services/data/(v\d+\.\d)/query$")
_MORE = re.compile(r"^/services/data/(v\d+\.\d)/query/(01g[0-9A-Za-z]+)-(\d+)$")
_COLLECTIONS = re.compile(r"^/services/data/(v\d+\.\d)/composite/sobjects$")
_CONDITION = r"SystemModstamp\s*(?:>=|>|<=|<|=)\s*\S+"
_SOQL = re.compile(
    r"^\s*SELECT\s+(?P<fields>[\w\s,.]+?)\s+FROM\s+(?P<object>\w+)"
    rf"(?:\s+WHERE\s+(?P<where>{_CONDITION}(?:\s+AND\s+{_CONDITION})*))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>[\w\s,]+?))?\s*$",
    re.IGNORECASE,
)
_COMPARISON = re.compile(r"SystemModstamp\s*(?P<op>>=|>|<=|<|=)\s*(?P<value>\S+)", re.IGNORECASE)


def errors(status: int, code: str, message: str) -> Response:
    return Response(status, [{"message": message, "errorCode": code}])


def record_id(sobject: str, number: int) -> str:
    """An 18-character Id: key prefix, the record number in 12 base-36 digits, a checksum-like tail."""
    digits = ""
    while number or not digits:
        number, digit = divmod(number, 36)
        digits = _BASE36[digit] + digits
    return f"{ID_PREFIX[sobject]}{digits:0>12}AAA"


_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Salesforce(Vendor):
    name = "salesforce"
    prefix = "/salesforce"
    daily_limit = 15_000

    def __init__(self, world, server):
        super().__init__(world, server)
        self.cursors: dict[str, dict[str, Any]] = {}

    def authorized(self, request: Request) -> bool:
        return bearer(request) in self.server.tokens

    def unauthorized(self) -> Response:
        return errors(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def rate_limited(self, retry_after: float | None) -> Response:
        # Salesforce has no per-second limit; a burst refused by its gateway looks like this.
        response = errors(429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
        if retry_after is not None:
            response.headers["Retry-After"] = f"{retry_after:g}"
        return response

    def server_error(self, status: int) -> Response:
        return errors(status, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)")  # fmt: skip

    def handle(self, request: Request) -> Response:
        used = self.server.request_count(self.name)
        if used > self.daily_limit:
            return errors(403, "REQUEST_LIMIT_EXCEEDED", f"TotalRequests Limit exceeded. ({used - 1}/{self.daily_limit})")
        response = self.route(request)
        response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{self.daily_limit}"
        return response

    def route(self, request: Request) -> Response:
        if request.method == "GET" and (match := _QUERY.match(request.path)):
            return self.query(match.group(1), request)
        if request.method == "GET" and (match := _MORE.match(request.path)):
            return self.more(match.group(1), match.group(2), int(match.group(3)))
        if request.method == "PATCH" and _COLLECTIONS.match(request.path):
            return self.update_collection(request)
        return errors(404, "NOT_FOUND", "The requested resource does not exist")

    def query(self, version: str, request: Request) -> Response:
        soql = request.arg("q") or ""
        match = _SOQL.match(soql)
        if not match or match.group("object") not in SOBJECTS:
            return errors(400, "MALFORMED_QUERY", f"unexpected token in: {soql[:200]}")
        sobject = match.group("object")
        selected = [f.strip() for f in match.group("fields").split(",") if f.strip()]
        rows = [(r, self.fields(sobject, r)) for r in self.world.select(SOBJECTS[sobject])]
        known = {name for _, f in rows for name in f}
        unknown = [f for f in selected if rows and f not in known]
        if unknown:
            return errors(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on entity '{sobject}'.")
        for condition in _COMPARISON.finditer(match.group("where") or ""):
            try:
                bound = timestamp(condition.group("value"), "SystemModstamp literal", required=True)
            except RecordError as problem:
                return errors(400, "MALFORMED_QUERY", str(problem))
            test = {">=": bound.__le__, ">": bound.__lt__, "<=": bound.__ge__, "<": bound.__gt__, "=": bound.__eq__}[condition.group("op")]
            rows = [(r, f) for r, f in rows if test(r["_modified_at"])]
        for part in reversed((match.group("order") or "").split(",")):
            words = part.split()
            if words:
                rows.sort(key=lambda rf: _sortable(rf[1].get(words[0])), reverse=len(words) > 1 and words[1].upper() == "DESC")
        batch = _batch_size(request.headers.get("Sforce-Query-Options"))
        locator = "01g" + uuid.uuid4().hex[:15]
        records = [{"attributes": {"type": sobject, "url": f"/services/data/{version}/sobjects/{sobject}/{f['Id']}"}, **{k: f.get(k) for k in selected}} for _, f in rows]  # fmt: skip
        self.cursors[locator] = {"records": records, "batch": batch}
        return self.page(version, locator, 0)

    def more(self, version: str, locator: str, offset: int) -> Response:
        if locator not in self.cursors:
            return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self.page(version, locator, offset)

    def page(self, version: str, locator: str, offset: int) -> Response:
        cursor = self.cursors[locator]
        records, batch = cursor["records"], cursor["batch"]
        body: dict[str, Any] = {"totalSize": len(records), "done": offset + batch >= len(records), "records": records[offset : offset + batch]}
        if not body["done"]:
            replay = not cursor.get("replayed_at") == offset and self.server.duplicate_page()
            following = offset if replay else offset + batch
            cursor["replayed_at"] = offset if replay else None
            body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{following}"
        return Response(200, body)

    def update_collection(self, request: Request) -> Response:
        body = request.json() or {}
        records = body.get("records") or []
        if not 1 <= len(records) <= COLLECTION_LIMIT:
            return errors(400, "INVALID_BATCH_SIZE", f"The number of records in a collection must be 1 to {COLLECTION_LIMIT}, got {len(records)}")  # fmt: skip
        found = []
        for record in records:
            sobject = (record.get("attributes") or {}).get("type")
            row = self.by_id(sobject, str(record.get("id") or ""))
            found.append((sobject, row, {k: v for k, v in record.items() if k not in ("attributes", "id")}))
        if body.get("allOrNone") and any(row is None for _, row, _ in found):
            return Response(200, [_result(r.get("id"), False) for r in records])
        results = []
        for record, (sobject, row, values) in zip(records, found):
            if row is None:
                results.append(_result(record.get("id"), False))
                continue
            kind = SOBJECTS[sobject]
            overrides = {**(row.get("vendor_overrides") or {}), **values}
            self.world.upsert(kind, {KEYS[kind]: row[KEYS[kind]], "vendor_overrides": overrides})
            results.append(_result(record["id"], True))
        return Response(200, results)

    def by_id(self, sobject: str | None, record_id: str) -> Row | None:
        match = re.fullmatch(r"(\w{3})([0-9A-Z]{12})AAA", record_id)
        if sobject not in SOBJECTS or not match or match.group(1) != ID_PREFIX[sobject]:
            return None
        return self.world.by_number(SOBJECTS[sobject], int(match.group(2), 36))

    def fields(self, sobject: str, row: Row) -> dict[str, Any]:
        """Every field of the record as Salesforce returns it (datetimes ...+0000, dates YYYY-MM-DD)."""
        common = {
            "Id": record_id(sobject, row["_number"]),
            "CreatedDate": _sf_datetime(row.moment("created_at")),
            "SystemModstamp": _sf_datetime(row["_modified_at"]),
            "LastModifiedDate": _sf_datetime(row["_modified_at"]),
        }
        account = self.world.number("customers", row.get("customer_id") or "")
        account_id = record_id("Account", account) if account is not None else None
        if sobject == "Account":
            size = row.get("size_employees")
            fields = {
                "Name": row.get("name"), "Phone": row.get("phone"), "NumberOfEmployees": int(size) if size else None,
                "IsPersonAccount": row.get("customer_type") == "consumer", "Customer_Number__c": row.get("customer_id"),
                "Customer_Type__c": row.get("customer_type"), "Product__c": row.get("product"), "Region__c": row.get("region"),
                "Churned_At__c": _sf_datetime(row.moment("churned_at")),
            }  # fmt: skip
        elif sobject == "Task":
            completed, due = row.moment("completed_at"), row.moment("due_at")
            fields = {
                "AccountId": account_id, "WhoId": None, "Subject": row.get("subject"),
                "Status": TASK_STATUS.get(row.get("status") or "", row.get("status")), "IsClosed": completed is not None,
                "ActivityDate": due.date().isoformat() if due else None, "CompletedDateTime": _sf_datetime(completed),
                "TaskSubtype": "Call",
            }  # fmt: skip
        elif sobject == "Contact":
            fields = {
                "AccountId": account_id, "Email": row.get("email"), "FirstName": row.get("first_name"),
                "LastName": row.get("last_name"), "Phone": row.get("phone"),
            }  # fmt: skip
        else:
            stage = row.get("stage") or ""
            closed = row.moment("closed_at")
            fields = {
                "AccountId": account_id, "Name": f"{row.get('product')} {row.get('deal_id')}",
                "Amount": float(row["amount"]) if row.get("amount") else None, "StageName": STAGES.get(stage, stage),
                "IsWon": stage == "closedwon", "IsClosed": stage in STAGES, "CloseDate": closed.date().isoformat() if closed else None,
                "Product__c": row.get("product"),
            }  # fmt: skip
        return {**fields, **common, **(row.get("vendor_overrides") or {})}


def _result(record_id: str | None, success: bool) -> dict[str, Any]:
    if success:
        return {"id": record_id, "success": True, "errors": []}
    return {"id": record_id, "success": False, "errors": [{"statusCode": "INVALID_CROSS_REFERENCE_KEY", "message": f"invalid cross reference id {record_id}", "fields": []}]}  # fmt: skip


def _sf_datetime(value) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _sortable(value: Any) -> tuple:
    return (0, "") if value is None else (1, str(value))


def _batch_size(header: str | None) -> int:
    match = re.search(r"batchSize=(\d+)", header or "")
    return min(max(int(match.group(1)), 200), 2000) if match else 2000
