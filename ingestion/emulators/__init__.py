"""Local emulators of the survey tools' and CRMs' APIs, serving a synthetic world.

    with start_emulator(world_dir) as server:
        sources = demo_sources(server.base_url)   # nps.yaml `sources:` pointing at it
"""
from ingestion.emulators.demo import demo_sources
from ingestion.emulators.server import EmulatorServer, Faults, start_emulator

__all__ = ["EmulatorServer", "Faults", "demo_sources", "start_emulator"]
