from tests.connectors.emulated import emulator, warehouse, world_dir  # noqa: F401 (fixtures)
