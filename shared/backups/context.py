"""What backup jobs and the backups API run against: settings, the status item, the archive location, the queue."""

import time
from collections.abc import Callable
from functools import cache

import msgspec
from pydantic import Field

from shared import runtime_resources, settings
from shared.backups.files_store import FilesStore
from shared.backups.location import BackupLocation
from shared.backups.status import StatusStore
from shared.backups.table_store import TableStore
from shared.jobs.queue import JobQueue


class BackupSettings(settings.Observability, settings.Tables):
    """Buckets (CDK passes LB_FILES_BUCKET and LB_BACKUPS_BUCKET) and the bounds of one job step."""

    files_bucket: str = runtime_resources.FILES_BUCKET.physical_name
    backups_bucket: str = runtime_resources.BACKUPS_BUCKET.physical_name
    logs_table: str = runtime_resources.LOGS_TABLE.physical_name
    # Items per table part: one scan page when creating, one step's worth of batch writes when restoring.
    backup_part_items: int = Field(1000, ge=1, le=10_000)
    # A step stops starting work after this long: a third of the jobs function's timeout.
    backup_step_budget_s: float = Field(20.0, gt=0)
    # A job whose status has not moved for this long lost its messages; another create or restore may start.
    backup_stalled_s: float = Field(300.0, gt=0)
    # The counters step waits this long, so that writes from before the restore have left the stream.
    backup_counter_settle_s: int = Field(5, ge=0, le=900)
    # Where presigned download URLs point: empty on AWS (S3's endpoint), moto's loopback server on the local
    # stack (the functions reach moto in-process, at no endpoint a browser could use).
    s3_public_endpoint: str = ""


class BackupContext(msgspec.Struct):
    config: BackupSettings
    status: StatusStore
    queue: JobQueue
    location_for: Callable[[], BackupLocation]
    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic

    @property
    def location(self) -> BackupLocation:
        return self.location_for()

    def table(self, key: str) -> TableStore:
        """The data table with this key (`BACKED_UP_TABLES`), by the physical name the settings give."""
        names = {runtime_resources.RECORDS_TABLE.key: self.config.records_table,
                 runtime_resources.SYSTEM_TABLE.key: self.config.system_table,
                 runtime_resources.LOGS_TABLE.key: self.config.logs_table}
        return TableStore(names[key])

    @property
    def files(self) -> FilesStore:
        return FilesStore(self.config.files_bucket)


def configured_location(config: BackupSettings) -> BackupLocation:
    """The location the runtime settings name now (the `backups.s3` bucket when enabled)."""
    from shared.app_settings import provider

    return BackupLocation.configured(config.backups_bucket, provider.current().backups.s3,
                                     public_endpoint=config.s3_public_endpoint)


@cache
def get_backup_context() -> BackupContext:
    """This function's backup context, from settings read once per cold start."""
    from shared.jobs.queue import get_job_queue

    config = settings.load(BackupSettings)
    return BackupContext(config=config, status=StatusStore(config.system_table), queue=get_job_queue(),
                         location_for=lambda: configured_location(config))
