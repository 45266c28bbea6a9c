"""Resources shared by the assets."""
import dagster as dg

from orchestration.config import NpsConfig, load_config


class NpsSettings(dg.ConfigurableResource):
    """Where nps.yaml is; the file itself is read (and validated) when a step runs."""

    config_path: str

    def load(self) -> NpsConfig:
        return load_config(self.config_path)


FULL_REFRESH_TAG = "nps/full_refresh"


def is_full_refresh(context: dg.AssetExecutionContext) -> bool:
    return context.run.tags.get(FULL_REFRESH_TAG) == "true"
