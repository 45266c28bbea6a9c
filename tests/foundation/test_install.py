"""The installed environment: what `make setup` promises beyond the locked packages."""
import importlib.util
from pathlib import Path

import dagster
import dagster_dbt
import great_expectations
import pandas
import pytest


@pytest.mark.parametrize("module", [dagster, dagster_dbt, great_expectations, pandas], ids=lambda m: m.__name__)
def test_heavy_packages_are_installed_with_their_bytecode(module):
    # Where PYTHONDONTWRITEBYTECODE is set Python never writes bytecode, so without it every process
    # (a refresh, each dbt run, each quality check) would compile these packages from source again.
    assert Path(importlib.util.cache_from_source(module.__file__)).exists()
