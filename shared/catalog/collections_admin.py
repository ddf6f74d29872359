"""The collections admin logic behind /api/collections: create, update, delete, import and truncate (superusers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from shared.catalog import backfill
from shared.catalog.layout import CollectionLayout, IndexLayout, ViewBuild, plan_layout, with_index_states
from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.computed_graph import clock_reader_errors
from shared.collections.fields import BaseField
from shared.collections.indexes import try_parse_index
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.errors import BadRequestError, NotFoundError
from shared.jobs.checkpoints import InMemoryCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.queue import InMemoryJobQueue
from shared.records import creation_order
from shared.records.model import ReadMeter
from shared.records.planner import Plan
from shared.records.repository import RecordRepository
from shared.records.rules import check_rule, unknown_identifier
from shared.runtime_resources import JOBS_QUEUE
from shared.tools.filter import FilterError

_RULE_ATTRIBUTES = (("listRule", "list_rule"), ("viewRule", "view_rule"), ("createRule", "create_rule"),
                    ("updateRule", "update_rule"), ("deleteRule", "delete_rule"))
_AUTH_RULE_ATTRIBUTES = (("authRule", "auth_rule"), ("manageRule", "manage_rule"))


def check_rule_syntax(text: str) -> None:
    try:
        check_rule(text)
    except FilterError as exc:
        raise ValueError(str(exc)) from exc


def rule_reference_errors(collection: Collection, find: Callable[[str], Collection | None]) -> dict[str, Any]:
    """Rules that parse but name a field or collection that does not exist (PocketBase rejects them too)."""
    errors: dict[str, Any] = {}
    for key, attribute in _RULE_ATTRIBUTES + (_AUTH_RULE_ATTRIBUTES if collection.is_auth else ()):
        text = getattr(collection, attribute)
        if not text or not text.strip():
            continue
        try:
            problem = unknown_identifier(text, collection, find)
        except FilterError:
            continue  # a syntax error, already reported by validate_collection
        if problem:
            errors[key] = {"code": "validation_invalid_rule", "message": f"Invalid rule. Raw error: {problem}."}
    return errors


def _new_unique_indexes(layout: CollectionLayout, previous: CollectionLayout | None) -> list[IndexLayout]:
    """Unique indexes the previous layout did not enforce in the same way."""
    found = []
    for index in layout.indexes:
        old = previous.by_name(index.name) if previous else None
        if index.unique and not (old and old.unique and old.columns == index.columns and old.where == index.where):
            found.append(index)
    return found


def drain(jobs: JobContext) -> None:
    """Run the queued jobs to completion in-process. The jobs (index builds, backfills, truncations) load with
    the first write that queues one: a cold start serving reads never imports them or the change stream's
    models they use."""
    from shared.jobs.runner import drain as run_all

    run_all(jobs)


def plan_aggregates(jobs: JobContext, collection: Collection, layout: CollectionLayout) -> None:
    """Plan the maintained aggregates' generations and builds (shared/jobs/aggregate_build.py), whose machinery
    loads only for a collection that declares or declared one."""
    if collection.aggregates or layout.maintained:
        from shared.jobs.aggregate_build import plan_aggregates as plan

        plan(jobs, collection, layout)


def aggregate_errors(collection: Collection, existing: Collection | None) -> dict[str, Any]:
    """Carry the declarations through field renames, then their problems in the 400's `data`."""
    if not collection.aggregates and (existing is None or not existing.aggregates):
        return {}
    from shared.aggregates.declarations import declaration_errors, follow_renames

    follow_renames(collection, existing)
    return declaration_errors(collection)


def new_job_id() -> str:
    """A new background job's id (shared/jobs/index_build.py), the job machinery loaded with it."""
    from shared.jobs.index_build import new_job_id as job_id

    return job_id()


class CollectionsAdmin:
    """Collections logic. `jobs` is where backfills and truncations are queued; without it (tools, tests) they
    run to completion in-process before a call returns. `settle_s` delays a backfill's start (queue.py)."""

    def __init__(self, collections: CollectionRepository, records: RecordRepository,
                 jobs: JobContext | None = None, *, settle_s: int = 0) -> None:
        self.collections = collections
        self.records = records
        self.inline_jobs = jobs is None
        self.jobs = jobs or JobContext(collections, records, InMemoryJobQueue(), InMemoryCheckpointStore())
        self.settle_s = settle_s

    def _find(self, id_or_name: str) -> Collection | None:
        found = self.collections.find(id_or_name)
        return found.collection if found else None

    def _has_records(self, collection_id: str) -> bool:
        scan = Plan(kind="scan", description="any record", collection_id=collection_id)
        return next(self.records.query(scan, ReadMeter(), want=1), None) is not None

    def list_json(self) -> list[dict[str, Any]]:
        """Every collection as the API shows it, in creation order (PocketBase's unsorted list order)."""
        ordered = sorted(self.collections.all(), key=lambda s: (s.collection.created, s.collection.id))
        return [with_index_states(s.collection.to_api_json(), s.layout) for s in ordered]

    def _job_running(self, job_id: str) -> bool:
        """Whether a build job is alive: not done, and its checkpoint moved within its first delay plus a
        visibility timeout (a lost message, e.g. a local stack restarted mid-build, leaves it still)."""
        checkpoint = self.jobs.checkpoints.get(job_id)
        if checkpoint is None or checkpoint.done:
            return False
        return self.jobs.clock() - checkpoint.updated_at < self.settle_s + JOBS_QUEUE.visibility_timeout_s

    def get(self, id_or_name: str) -> StoredCollection:
        found = self.collections.find(id_or_name)
        if found is None:
            raise NotFoundError()
        return found

    def _infer_view_fields(self, view_query: str) -> list[BaseField]:
        from shared.views.definition import view_fields

        return view_fields(view_query, self._find)

    def build_view(self, collection: Collection, *, clear: bool) -> None:
        """Queue the materialization of a view's rows (shared/jobs/view_build.py), after the save; the layout
        names the job (its progress shows as `buildState`) before it is queued."""
        from shared.jobs.view_build import start_view_build

        job_id = new_job_id()
        stored = next((s for s in self.collections.all(fresh=True) if s.collection.id == collection.id), None)
        if stored is not None:
            stored.layout.view_build = ViewBuild(job=job_id)
            self.collections.save(stored)
        start_view_build(self.jobs, collection.id, job_id, clear=clear, delay_s=self.settle_s)
        if self.inline_jobs:
            drain(self.jobs)

    def _check_views_survive(self, collection: Collection, *, deleted: bool) -> None:
        """A source a view reads cannot lose what the view selects (PocketBase: SQLite refuses the change)."""
        if collection.is_view or not any(s.collection.is_view for s in self.collections.all()):
            return
        from shared.views.definition import views_broken_by

        broken = views_broken_by([s.collection for s in self.collections.all()], collection, deleted=deleted)
        if broken and deleted:
            raise BadRequestError("Failed to delete collection.", {})
        if broken:
            name, why = next(iter(broken.items()))
            raise BadRequestError(f"Failed to update collection. Raw error: the view {name} would break: {why}", {})

    def create(self, body: dict[str, Any]) -> Collection:
        collection = validate_collection(body, existing=None, find_collection=self._find, check_rule=check_rule_syntax,
                                         infer_view_fields=self._infer_view_fields)
        errors = {**rule_reference_errors(collection, self._find), **aggregate_errors(collection, None)}
        if errors:
            raise BadRequestError("Failed to create collection.", errors)
        self.records.init_counter(collection.id)
        layout = plan_layout(collection, None, has_records=False)
        plan_aggregates(self.jobs, collection, layout)
        # conditional: a racing create of the same name is refused, not overwritten
        self.collections.add(StoredCollection(collection=collection, layout=layout))
        if collection.is_view:
            self.build_view(collection, clear=False)
        elif layout.maintained and self.inline_jobs:
            drain(self.jobs)
        return collection

    def update(self, id_or_name: str, body: dict[str, Any]) -> Collection:
        stored = self.get(id_or_name)
        if isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"] != stored.collection.id:
            raise NotFoundError()  # PocketBase looks the collection up again by the submitted id
        collection = validate_collection(body, existing=stored.collection, find_collection=self._find,
                                         check_rule=check_rule_syntax, infer_view_fields=self._infer_view_fields)
        errors = {**rule_reference_errors(collection, self._find), **aggregate_errors(collection, stored.collection)}
        clock = clock_reader_errors(collection, (s.collection for s in self.collections.all()))
        if clock:
            errors["fields"] = clock
        if errors:
            raise BadRequestError("Failed to update collection.", errors)
        self._check_views_survive(collection, deleted=False)
        self.save_with_layout(collection, stored.layout, "update")
        if collection.is_view and collection.view_query != stored.collection.view_query:
            self.build_view(collection, clear=True)
        return collection

    def save_with_layout(self, collection: Collection, previous: CollectionLayout | None, action: str) -> None:
        """Save a collection; new indexes of a collection with records are queued for the backfill job.

        A new UNIQUE index is checked against existing records within the request while the collection is
        small (backfill.SYNC_UNIQUE_CHECK_LIMIT): duplicates answer 400 naming the index, as in PocketBase.
        """
        before: Collection | None = None
        if previous is not None:
            # The index states as stored now, not as this instance's catalog cache last saw them: a job may
            # have marked an index ready or failed since, and saving an older state would undo that.
            current = next((s for s in self.collections.all(fresh=True) if s.collection.id == collection.id), None)
            previous = current.layout if current else previous
            before = current.collection if current else None
            if current is not None and creation_order.schema_breaks_order(current.collection, collection):
                self.records.mark_unordered(collection.id)  # before the save, like any marker (creation_order)
        has_records = previous is not None and self._has_records(collection.id)
        layout = plan_layout(collection, previous, has_records=has_records)
        new_unique = _new_unique_indexes(layout, previous) if has_records else []
        check = backfill.check_unique_within_limit(self.records, collection, new_unique)
        duplicated = check.duplicated
        if duplicated is None and check.checked and check.records <= backfill.SYNC_CLAIMS_LIMIT:
            # Small: claim existing values now, so the index is enforced at once; the job verifies it later.
            claimed = backfill.backfill_chunk(self.records, collection, layout, after=None,
                                              limit=backfill.SYNC_CLAIMS_LIMIT + 1,
                                              deadline=time.monotonic() + backfill.SYNC_CLAIMS_BUDGET_S)
            duplicated = next((i for i in new_unique if i.name in claimed.failed), None)
        if duplicated is not None:
            positions = {spec.name: i for i, raw in enumerate(collection.indexes) if (spec := try_parse_index(raw))}
            raise BadRequestError(f"Failed to {action} collection.", {"indexes": {
                str(positions.get(duplicated.name, 0)): {
                    "code": "validation_invalid_index_expression",
                    "message": f"The unique index {duplicated.name} cannot be created: existing records have "
                               "duplicate values."}}})
        if previous is None:
            self.records.init_counter(collection.id)
        for index in layout.indexes:
            if index.job is not None and not self._job_running(index.job):
                index.job = None  # its job ended without finishing it (e.g. a state lost to a racing save)
        from shared.jobs.index_build import start_index_build
        from shared.jobs.linked_backfill import queue_linked_backfill

        pending = layout.unscheduled()
        if pending:
            job_id = new_job_id()
            for index in pending:
                index.job = job_id
            # Queued before the save: if the save fails, the job finds no index of its own and ends.
            start_index_build(self.jobs, collection.id, job_id, delay_s=self.settle_s)
        linked = queue_linked_backfill(self.jobs, before, collection, layout, delay_s=self.settle_s) \
            if has_records else False
        before_aggregates = [m.generation for m in layout.maintained]
        plan_aggregates(self.jobs, collection, layout)
        aggregates = before_aggregates != [m.generation for m in layout.maintained]
        stored = StoredCollection(collection=collection, layout=layout)
        if previous is None:
            self.collections.add(stored)  # conditional: a racing create of the same name is refused, not overwritten
        else:
            self.collections.save(stored)
        if (pending or linked or aggregates) and self.inline_jobs:
            drain(self.jobs)

    def _references(self, collection: Collection) -> list[str]:
        return [other.collection.name for other in self.collections.all() if other.collection.id != collection.id
                and any(f.field_type == "relation" and getattr(f, "collection_id", "") == collection.id
                        for f in other.collection.fields)]

    def delete(self, id_or_name: str) -> None:
        stored = self.get(id_or_name)
        if stored.collection.system:
            raise BadRequestError("Failed to delete collection.", {})
        refs = self._references(stored.collection)
        if refs:
            raise BadRequestError(f"Failed to delete collection probably due to existing reference in {refs[0]}.", {})
        self._check_views_survive(stored.collection, deleted=True)
        self.truncate(stored.collection.id, allow_system=True)
        self.collections.delete(stored.collection.id)

    def truncate(self, id_or_name: str, *, allow_system: bool = False) -> None:
        """Delete every record: within the request up to a bound, the rest by a queued job (shared/jobs/truncate)."""
        stored = self.get(id_or_name)
        if stored.collection.is_view and not allow_system:
            raise BadRequestError("View collections cannot be truncated since they don't store their own records.")
        from shared.jobs.truncate import truncate_collection

        # the deployment's queue runs the files job in the jobs function, which alone holds the bucket
        if not truncate_collection(self.jobs, stored, delete_files=not self.inline_jobs) and self.inline_jobs:
            drain(self.jobs)

    def import_collections(self, body: Any) -> None:
        """PUT /api/collections/import (see shared.catalog.importer)."""
        from shared.catalog.importer import import_collections

        import_collections(self, body)

    def remove(self, stored: StoredCollection) -> None:
        """Delete a collection and its records without dependency checks (an import replaces the whole set)."""
        self.truncate(stored.collection.id, allow_system=True)
        self.collections.delete(stored.collection.id)
