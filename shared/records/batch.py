"""`POST /api/batch`: create/update/upsert/delete requests applied in one transaction, as PocketBase runs them.

Each request is checked exactly as the same request made alone (its own body, query and `@request.context`
"batch"), on the state the earlier ones leave; then all writes go to storage in one transaction.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec
from msgspec.structs import replace

from shared.catalog.repository import StoredCollection
from shared.errors import ApiError, BadRequestError, ForbiddenError
from shared.records import indexing, links
from shared.records.context import RequestContext
from shared.records.model import RecordConflictError, RecordWrite
from shared.records.scope import RecordScope
from shared.records.writer import PreparedWrite
from shared.tools.list_query import ListQueryError, parse_fields_param

_COLLECTION_URL = re.compile(r"^/api/collections/([^/?]+)/records$")
_RECORD_URL = re.compile(r"^/api/collections/([^/?]+)/records/([^/?]+)$")


class _Step(msgspec.Struct):
    prepared: PreparedWrite
    params: dict[str, str]
    kind: str
    scope: RecordScope


def _request_error(index: int, err: ApiError) -> BadRequestError:
    return BadRequestError("Batch transaction failed.", {"requests": {str(index): {
        "code": "batch_request_failed", "message": "Batch request failed.", "response": err.body()}}})


def check_batch_enabled(*, enabled: bool, max_requests: int) -> None:
    if not enabled or max_requests <= 0:
        raise ForbiddenError("Batch requests are not allowed.")


def run_batch(scope: RecordScope, requests: Any, *, enabled: bool, max_requests: int) -> list[dict[str, Any]]:
    """Validate every request, then write them all or nothing; returns each request's response."""
    check_batch_enabled(enabled=enabled, max_requests=max_requests)
    if not isinstance(requests, list) or not requests:
        raise BadRequestError("Invalid batch request data.", {"requests": {
            "code": "validation_required", "message": "Cannot be blank."}})
    if len(requests) > max_requests:
        raise BadRequestError("Invalid batch request data.", {"requests": {
            "code": "validation_length_too_long", "message": f"The length must be no more than {max_requests}."}})
    steps: list[_Step] = []
    for i, req in enumerate(requests):
        try:
            step = _plan(scope, req)
        except ApiError as err:
            scope.writer.hooks.failed([e for s in steps for e in s.prepared.events])
            raise _request_error(i, err) from err
        steps.append(step)
        # Later requests see this one's effect, as PocketBase runs them one after the other.
        for write in step.prepared.writes:
            scope.loader.pending[write.key] = None if write.kind == "delete" else write.record
    writes = _one_operation_per_item(steps)
    try:
        scope.writer.commit(writes, [e for s in steps for e in s.prepared.events])
    except RecordConflictError as exc:
        raise BadRequestError("Batch transaction failed: a conflicting change or a duplicate value.") from exc
    out: list[dict[str, Any]] = []
    for step in steps:
        if step.kind == "delete":
            out.append({"status": 204, "body": None})
            continue
        try:
            fields = parse_fields_param(step.params)
        except ListQueryError:
            fields = None
        body = step.scope.presenter.one(step.prepared.stored.collection, step.prepared.record,
                                        expand=step.params.get("expand", ""), fields=fields)
        out.append({"status": 200, "body": body})
    return out


def _merge(first: RecordWrite, later: RecordWrite) -> RecordWrite | None:
    """One write with the effect of `first` then `later` on the same record (None: nothing to write).

    `later` was planned on the state `first` leaves, so its claims and releases are relative to that state.
    Numbers changed through `+`/`-` become absolute values: the merged write stays conditional on the version
    read before the batch, so they are as safe as an atomic increment.
    """
    links_added, links_removed = links.merged_links(first, later)
    if first.kind == "create":
        if later.kind == "delete":
            return None
        return replace(later, kind="create", expected_version=None, changed={}, increments={},
                       remove_index_attrs=[], links_added=links_added, links_removed=[],
                       claims=sorted((set(first.claims) | set(later.claims)) - set(later.releases)), releases=[])
    if later.kind == "delete":
        original_claims = (set(later.releases) - set(first.claims)) | set(first.releases)
        return replace(later, expected_version=first.expected_version, releases=sorted(original_claims),
                       links_added=[], links_removed=links_removed)
    touched = set(first.changed) | set(first.increments) | set(later.changed) | set(later.increments)
    return replace(later, expected_version=first.expected_version, increments={},
                   links_added=links_added, links_removed=links_removed,
                   changed={fid: later.record.data.get(fid) for fid in touched},
                   claims=sorted((set(first.claims) | set(later.claims)) - set(later.releases)),
                   releases=sorted(set(first.releases) | (set(later.releases) - set(first.claims))))


def _one_operation_per_item(steps: list[_Step]) -> list[RecordWrite]:
    """The batch's writes, as one DynamoDB transaction allows them: at most one operation per item.

    Successive changes of one record merge into one write; a unique value claimed by two records is the
    later request's 400.
    """
    merged: dict[tuple[str, str], RecordWrite | None] = {}
    for index, step in enumerate(steps):
        for write in step.prepared.writes:
            key = (write.record.collection_id, write.record.id)
            if key not in merged:
                merged[key] = write
                continue
            earlier = merged[key]
            if earlier is None or earlier.kind == "delete":
                if write.kind == "delete":
                    continue  # already deleted (e.g. by an earlier request's cascade)
                raise _request_error(index, BadRequestError(
                    "An earlier request of the batch deletes this record; send this one in another batch."))
            merged[key] = _merge(earlier, write)
    out = [w for w in merged.values() if w is not None]
    owners: dict[str, tuple[str, str]] = {}
    for write in out:
        for claim in write.claims:
            key = (write.record.collection_id, write.record.id)
            if owners.setdefault(claim, key) != key:
                index, stored = _last_request_touching(steps, key)
                action = "create" if write.kind == "create" else "update"
                raise _request_error(index, BadRequestError(
                    f"Failed to {action} record.", indexing.unique_violations(stored.collection, stored.layout, claim)))
    return out


def _last_request_touching(steps: list[_Step], key: tuple[str, str]) -> tuple[int, StoredCollection]:
    for index in range(len(steps) - 1, -1, -1):
        if any(w.key == key for w in steps[index].prepared.writes):
            return index, steps[index].prepared.stored
    raise LookupError(key)


def _sub_request(scope: RecordScope, method: str, query: dict[str, str], body: dict[str, Any],
                 headers: Any) -> RequestContext:
    """The sub-request as its rules see it: the batch's caller, its own method, query, body and headers."""
    outer = scope.request
    merged = dict(outer.headers)
    if isinstance(headers, dict):
        # as PocketBase: a sub-request's own Authorization has no effect, the caller is the batch's
        merged.update({str(k).lower().replace("-", "_"): str(v) for k, v in headers.items()
                       if str(k).lower() != "authorization"})
    return replace(outer, method=method, query=query, headers=merged, context="batch",
                   body={k: v for k, v in body.items() if isinstance(k, str)})


def _plan(scope: RecordScope, req: Any) -> _Step:
    if not isinstance(req, dict):
        raise BadRequestError("Each batch request must be an object.")
    method = str(req.get("method", "")).upper()
    parts = urlsplit(str(req.get("url", "")))
    params = dict(parse_qsl(parts.query))
    body = req.get("body") or {}
    if not isinstance(body, dict):
        raise BadRequestError("The request body must be an object.")
    if method == "PUT" and (m := _COLLECTION_URL.match(parts.path)):
        record_id = str(body.get("id") or "")
        stored = scope.collections.get(m.group(1))
        exists = bool(record_id) and scope.loader.one(stored.collection, record_id) is not None
        method, kind = ("PATCH", "update") if exists else ("POST", "create")
        sub = scope.acting_as(_sub_request(scope, method, params, body, req.get("headers")))
        prepared = (sub.writer.prepare_update(m.group(1), record_id, body) if exists
                    else sub.writer.prepare_create(m.group(1), body))
        return _Step(prepared, params, kind, sub)
    sub = scope.acting_as(_sub_request(scope, method, params, body, req.get("headers")))
    if method == "POST" and (m := _COLLECTION_URL.match(parts.path)):
        return _Step(sub.writer.prepare_create(m.group(1), body), params, "create", sub)
    if method == "PATCH" and (m := _RECORD_URL.match(parts.path)):
        return _Step(sub.writer.prepare_update(m.group(1), m.group(2), body), params, "update", sub)
    if method == "DELETE" and (m := _RECORD_URL.match(parts.path)):
        return _Step(sub.writer.prepare_delete(m.group(1), m.group(2)), params, "delete", sub)
    raise BadRequestError(f"Unsupported batch request {method} {parts.path}.")
