"""Dagster wiring, configuration and the `nps` command line. No business logic lives here."""

import warnings

# Dagster 1.13 marks `backfill_policy` beta and warns at every definition load (20 lines per
# `nps refresh`). We pin the release, and tests/foundation/test_backfill.py covers what we rely on.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy` of function `asset`")
