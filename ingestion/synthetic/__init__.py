"""A deterministic, streaming synthetic NPS world: CRM, organisation, survey responses, truth.

    from ingestion.synthetic import WorldSpec, write_world, iter_response_chunks
    summary = write_world(WorldSpec(end_date=date(2026, 6, 30)), Path("world"))

Files under out_dir (UTF-8, header row, RFC 4180 CSV with CRLF, ISO 8601 UTC timestamps with 'Z'):
truth.json, org/{products,processes,employees}.csv, crm/{customers,contacts,deals}.csv,
responses/responses_YYYY_MM.csv and, with interactions=True, interactions/interactions_YYYY_MM.csv.

The same spec always gives byte-identical files. The simulation runs month by month from a fixed
epoch (spec.SIMULATION_EPOCH) with random streams keyed by (seed, stream, month or quarter), so a
spec with a later end_date reproduces every earlier day exactly and only adds days.
"""
from ingestion.synthetic.spec import WorldSpec
from ingestion.synthetic.writer import WorldSummary, iter_response_chunks, write_world

__all__ = ["WorldSpec", "WorldSummary", "iter_response_chunks", "write_world"]
