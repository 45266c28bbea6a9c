"""A folder sensor: new or changed CSV exports start a refresh without waiting for the night."""
import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.config import NpsConfig
from orchestration.jobs import NIGHTLY_REFRESH
from orchestration.partitions import daily_partitions


def csv_exports_fingerprint(config: NpsConfig) -> str:
    """What the csv sources' globs match now: path, size and modification time of every file."""
    files = sorted(
        (str(path), path.stat().st_size, path.stat().st_mtime_ns)
        for source in config.sources_of_type("csv")
        for path in Path(source.path).parent.glob(Path(source.path).name)
        if path.is_file()
    )
    return hashlib.sha256(json.dumps(files).encode()).hexdigest()


def csv_exports_sensor(config: NpsConfig) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_csv_exports",
        job_name=NIGHTLY_REFRESH,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts the refresh when a csv source's folder gains or changes a file.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        fingerprint = csv_exports_fingerprint(config)
        if fingerprint == context.cursor:
            return dg.SkipReason("no new or changed CSV exports")
        context.update_cursor(fingerprint)
        # The newest day: the ordinary load, which picks up whatever the new files hold.
        newest = daily_partitions(config).get_last_partition_key()
        return dg.RunRequest(run_key=f"csv-exports-{fingerprint[:16]}", partition_key=newest)

    return _sensor
