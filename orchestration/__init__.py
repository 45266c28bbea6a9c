"""Dagster wiring, configuration and the `nps` command line. No business logic lives here."""
