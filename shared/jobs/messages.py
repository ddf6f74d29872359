"""The jobs queue's messages: which job, which step; the position itself lives in the job's checkpoint."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter


class IndexBuildMessage(BaseModel):
    """Backfill step `step` of the indexes that the collection's layout names as built by `job_id`."""

    kind: Literal["index_build"] = "index_build"
    job_id: str
    collection_id: str
    step: int = 0


class LinkedBackfillMessage(BaseModel):
    """Backfill step `step` of the linked computed fields the collection's layout names as built by `job_id`."""

    kind: Literal["linked_backfill"] = "linked_backfill"
    job_id: str
    collection_id: str
    step: int = 0


class TruncateMessage(BaseModel):
    """Delete the next chunk of a collection's records; carries the collection, which may be deleted meanwhile.

    `collection` is the stored collection JSON (collection and layout), needed to find each record's claims.
    `steps_left` bounds the job by the record count seen when it started, so writes during it cannot keep it
    running forever.
    """

    kind: Literal["truncate"] = "truncate"
    job_id: str
    collection_id: str
    collection: dict[str, Any]
    step: int = 0
    steps_left: int = 1


class BackupJobMessage(BaseModel):
    """Run step `step` of the backup create or restore `job_id`; where it is lives in the backup status item."""

    kind: Literal["backup"] = "backup"
    job_id: str
    step: int = 0


class DeleteFilesMessage(BaseModel):
    """Delete a truncated collection's files written before `before_ms`, after `start_after` (shared/files/
    collection_files.py)."""

    kind: Literal["delete_files"] = "delete_files"
    job_id: str
    collection_id: str
    before_ms: int
    start_after: str = ""
    step: int = 0


class FileCleanupMessage(BaseModel):
    """Delete what a committed record write left behind when its own cleanup failed (shared/files/record_files.py):
    the files it removed or replaced (`keys`, and their thumbs' `prefixes`), or a deleted record's whole prefix."""

    kind: Literal["file_cleanup"] = "file_cleanup"
    job_id: str
    collection_id: str
    record_id: str
    keys: list[str] = []
    prefixes: list[str] = []
    # a deleted record's prefix goes only while no record of that id exists again (ids may be chosen)
    record_deleted: bool = False
    step: int = 0


class ViewBuildMessage(BaseModel):
    """Step `step` of materializing view collection `collection_id` (shared/jobs/view_build.py)."""

    kind: Literal["view_build"] = "view_build"
    job_id: str
    collection_id: str
    step: int = 0


class AggregateBuildMessage(BaseModel):
    """Step `step` of counting a collection's records into the maintained aggregates the layout names as built
    by `job_id` (shared/jobs/aggregate_build.py)."""

    kind: Literal["aggregate_build"] = "aggregate_build"
    job_id: str
    collection_id: str
    step: int = 0


class AggregateCleanupMessage(BaseModel):
    """Delete the next chunk of maintained aggregate items of `generations`: their markers once built, their
    groups too (`groups`) once no longer declared."""

    kind: Literal["aggregate_cleanup"] = "aggregate_cleanup"
    job_id: str
    collection_id: str
    generations: list[str]
    groups: bool = False
    # epoch seconds before which the step only waits (sends itself again, delayed)
    not_before: float = 0.0
    step: int = 0


AnyJobMessage = (IndexBuildMessage | TruncateMessage | BackupJobMessage | DeleteFilesMessage | FileCleanupMessage
                 | ViewBuildMessage | LinkedBackfillMessage | AggregateBuildMessage | AggregateCleanupMessage)
JobMessage = Annotated[AnyJobMessage, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[AnyJobMessage] = TypeAdapter(JobMessage)


def parse_message(body: str) -> AnyJobMessage:
    """A queue message body as a job message; pydantic's ValidationError for anything else."""
    return _ADAPTER.validate_json(body)
