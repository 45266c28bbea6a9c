"""After a successful publish, the customers' latest ratings go back to the CRMs (reporting/crm_writeback.py)."""
import dagster as dg

from ingestion.warehouse import open_warehouse
from orchestration.publish import reporting_database
from orchestration.resources import NpsSettings
from reporting.crm_writeback import describe, write_back, writeback_sources


@dg.asset(
    key="crm_writeback",
    group_name="publish",
    deps=[reporting_database],
    description="Every CRM account or contact whose customer's latest rating changed gets it (sources with writeback.enabled).",
    kinds={"hubspot", "salesforce"},
    pool="warehouse",
)
def crm_writeback(context: dg.AssetExecutionContext, nps: NpsSettings) -> dg.MaterializeResult:
    config = nps.load()
    sources = writeback_sources(config.sources)
    with open_warehouse(config.warehouse) as warehouse:
        results = [write_back(warehouse, source) for source in sources]
    for result in results:
        for line in describe(result):
            context.log.info(line)
    failures = [f"{r.source}: {failure}" for r in results for failure in r.failures]
    stopped = [f"{r.source}: stopped, {r.stopped}" for r in results if r.stopped]
    if failures or stopped:
        first = f"; first: {failures[0]}" if failures else ""
        raise dg.Failure(
            description=f"CRM write-back: {len(failures)} object(s) not updated (they stay pending){first}"
            + "".join(f"; {line}" for line in stopped),
            metadata={"failures": failures[:50], "stopped": stopped},
        )
    return dg.MaterializeResult(
        metadata={
            "written": {r.source: r.written for r in results},
            "requests": {r.source: r.requests for r in results},
        }
    )
