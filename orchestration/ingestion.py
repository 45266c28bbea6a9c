"""One asset per (source type, object), e.g. raw/csv/responses, loading every configured source."""
import dagster as dg

from ingestion.connectors import CONNECTORS
from ingestion.ingest import ingest
from ingestion.landing import LandingCounts
from ingestion.warehouse import open_warehouse
from orchestration.config import NpsConfig
from orchestration.partitions import backfill_window
from orchestration.resources import NpsSettings, is_full_refresh


def _ingestion_asset(source_type: str, object_name: str, partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", source_type, object_name],
        group_name="ingestion",
        description=f"{source_type} {object_name}, landed in raw.{source_type}__{object_name}",
        kinds={source_type, "duckdb"},
        pool="warehouse",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),  # a date range is one filtered request per source
    )
    def _asset(context: dg.AssetExecutionContext, nps: NpsSettings) -> dg.MaterializeResult:
        config = nps.load()
        window = backfill_window(context)
        if window is not None:
            context.log.info(f"backfill: fetching {window.start:%Y-%m-%d %H:%M} .. {window.end:%Y-%m-%d %H:%M} UTC again")
        total, per_source = LandingCounts(), {}
        batches, pages, retries, seconds = 0, 0, 0, 0.0
        with open_warehouse(config.warehouse) as warehouse:
            for source in config.sources_of_type(source_type):
                result = ingest(
                    warehouse,
                    source,
                    object_name,
                    context.run_id,
                    is_full_refresh(context),
                    window=window,
                    data_dir=config.data_dir,
                )
                total.add(result.counts)
                batches, seconds = batches + result.batches, seconds + result.seconds
                pages, retries = pages + result.pages, retries + result.retries
                per_source[source.name] = {**vars(result.counts), "pages": result.pages, "retries": result.retries}
                context.log.info(
                    f"{source.name}: {vars(result.counts)}, {result.pages} pages, {result.retries} retries "
                    f"in {result.seconds:.1f}s"
                )
        return dg.MaterializeResult(
            metadata={
                **vars(total), "batches": batches, "pages": pages, "retries": retries,
                "seconds": round(seconds, 2), "per_source": per_source,
            }  # fmt: skip
        )

    return _asset


def ingestion_assets(config: NpsConfig, partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    configured = sorted({source.type for source in config.sources})
    return [
        _ingestion_asset(source_type, object_name, partitions_def)
        for source_type in configured
        for object_name in CONNECTORS[source_type].tables
    ]
