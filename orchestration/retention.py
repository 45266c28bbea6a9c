"""`raw_retention`: after the loads, raw payloads and quarantined records older than
`retention.raw_payload_days` are purged (ingestion/retention.py). Defined only when that is set."""
import dagster as dg

from ingestion.connectors import CONNECTORS
from ingestion.retention import purge_raw_payloads
from ingestion.warehouse import open_warehouse
from orchestration.config import NpsConfig
from orchestration.resources import NpsSettings


def retention_assets(config: NpsConfig) -> list[dg.AssetsDefinition]:
    days = config.retention.raw_payload_days
    if days is None:
        return []
    # After every load, so what a run lands is judged by the same cutoff as what was there.
    loads = [
        dg.AssetKey(["raw", source_type, object_name])
        for source_type in sorted({source.type for source in config.sources})
        for object_name in CONNECTORS[source_type].tables
    ]

    @dg.asset(
        group_name="ingestion",
        deps=loads,
        pool="warehouse",
        description="Purges raw payloads and quarantined records landed more than retention.raw_payload_days ago.",
    )
    def raw_retention(context: dg.AssetExecutionContext, nps: NpsSettings) -> dg.MaterializeResult:
        with open_warehouse(nps.load().warehouse) as warehouse:
            purge = purge_raw_payloads(warehouse, days)
        context.log.info(
            f"purged {sum(purge.payloads.values())} raw payloads and {purge.quarantine_deleted} quarantined "
            f"records landed before {purge.cutoff:%Y-%m-%d %H:%M} UTC"
        )
        return dg.MaterializeResult(
            metadata={
                "retention_days": days,
                "cutoff": purge.cutoff.isoformat(),
                "payloads_purged": sum(purge.payloads.values()),
                "quarantine_deleted": purge.quarantine_deleted,
                "per_table": {table: count for table, count in purge.payloads.items() if count},
            }
        )

    return [raw_retention]
