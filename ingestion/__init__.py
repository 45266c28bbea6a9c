"""From the outside world to raw tables: connectors, landing, local API emulators, synthetic data."""
