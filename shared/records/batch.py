"""`POST /api/batch`: up to 100 create/update/upsert/delete requests applied in one transaction."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from shared.errors import ApiError, BadRequestError
from shared.records import indexing
from shared.records.model import RecordConflictError, RecordWrite
from shared.records.service import RecordService

MAX_BATCH_REQUESTS = 100
_COLLECTION_URL = re.compile(r"^/api/collections/([^/]+)/records/?$")
_RECORD_URL = re.compile(r"^/api/collections/([^/]+)/records/([^/]+)/?$")


def _request_error(index: int, err: ApiError) -> BadRequestError:
    return BadRequestError("Batch transaction failed.", {"requests": {str(index): {
        "code": "batch_request_failed", "message": err.message, "response": err.body()}}})


def run_batch(service: RecordService, requests: Any) -> list[dict[str, Any]]:
    """Validate every request, then write them all or nothing; returns each request's response."""
    if not isinstance(requests, list) or not requests:
        raise BadRequestError("Failed to read the batch request.", {"requests": {
            "code": "validation_required", "message": "Cannot be blank."}})
    if len(requests) > MAX_BATCH_REQUESTS:
        raise BadRequestError(f"The batch has {len(requests)} requests; at most {MAX_BATCH_REQUESTS} are allowed.",
                              {"requests": {"code": "validation_length_too_long",
                                            "message": f"The length must be no more than {MAX_BATCH_REQUESTS}."}})
    planned: list[tuple[Any, list[RecordWrite], dict[str, str], str]] = []
    for i, req in enumerate(requests):
        try:
            step = _plan(service, req)
        except ApiError as err:
            raise _request_error(i, err) from err
        planned.append(step)
        # Later requests see this one's effect, as PocketBase runs them one after the other.
        for write in step[1]:
            key = (write.record.collection_id, write.record.id)
            service.loader.pending[key] = None if write.kind == "delete" else write.record
    writes = _one_operation_per_item(planned)
    try:
        service.records.write(writes)
    except RecordConflictError as exc:
        raise BadRequestError("Batch transaction failed: a conflicting change or a duplicate value.") from exc
    service.after_write(writes)
    out: list[dict[str, Any]] = []
    for stored, ws, params, kind in planned:
        if kind == "delete":
            out.append({"status": 204, "body": None})
        else:
            out.append({"status": 200, "body": service.finish_one(stored, ws[0].record, params)})
    return out


def _merge(first: RecordWrite, later: RecordWrite) -> RecordWrite | None:
    """One write with the effect of `first` then `later` on the same record (None: nothing to write).

    `later` was planned on the state `first` leaves, so its claims and releases are relative to that state.
    Numbers changed through `+`/`-` become absolute values: the merged write stays conditional on the version
    read before the batch, so they are as safe as an atomic increment.
    """
    if first.kind == "create":
        if later.kind == "delete":
            return None
        return replace(later, kind="create", expected_version=None, changed={}, increments={},
                       remove_index_attrs=[],
                       claims=sorted((set(first.claims) | set(later.claims)) - set(later.releases)), releases=[])
    if later.kind == "delete":
        original_claims = (set(later.releases) - set(first.claims)) | set(first.releases)
        return replace(later, expected_version=first.expected_version, releases=sorted(original_claims))
    touched = set(first.changed) | set(first.increments) | set(later.changed) | set(later.increments)
    return replace(later, expected_version=first.expected_version, increments={},
                   changed={fid: later.record.data.get(fid) for fid in touched},
                   claims=sorted((set(first.claims) | set(later.claims)) - set(later.releases)),
                   releases=sorted(set(first.releases) | (set(later.releases) - set(first.claims))))


def _one_operation_per_item(planned: list[tuple[Any, list[RecordWrite], dict[str, str], str]]) -> list[RecordWrite]:
    """The batch's writes, as one DynamoDB transaction allows them: at most one operation per item.

    Successive changes of one record merge into one write; a unique value claimed by two records is the
    later request's 400.
    """
    merged: dict[tuple[str, str], RecordWrite | None] = {}
    for index, (_, writes, _, _) in enumerate(planned):
        for write in writes:
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
                index, stored = _last_request_touching(planned, key)
                action = "create" if write.kind == "create" else "update"
                raise _request_error(index, BadRequestError(
                    f"Failed to {action} record.", indexing.unique_violations(stored.collection, stored.layout, claim)))
    return out


def _last_request_touching(planned: list[tuple[Any, list[RecordWrite], dict[str, str], str]],
                           key: tuple[str, str]) -> tuple[int, Any]:
    for index in range(len(planned) - 1, -1, -1):
        stored, writes, _, _ = planned[index]
        if any((w.record.collection_id, w.record.id) == key for w in writes):
            return index, stored
    raise LookupError(key)


def _plan(service: RecordService, req: Any) -> tuple[Any, list[RecordWrite], dict[str, str], str]:
    if not isinstance(req, dict):
        raise BadRequestError("Each batch request must be an object.")
    method = str(req.get("method", "")).upper()
    parts = urlsplit(str(req.get("url", "")))
    params = dict(parse_qsl(parts.query))
    body = req.get("body") or {}
    if not isinstance(body, dict):
        raise BadRequestError("The request body must be an object.")
    if (m := _COLLECTION_URL.match(parts.path)) and method == "POST":
        stored, write = service.prepare_create(m.group(1), body)
        return stored, [write], params, "create"
    if (m := _COLLECTION_URL.match(parts.path)) and method == "PUT":
        record_id = str(body.get("id") or "")
        stored = service.collection(m.group(1))
        if record_id and service.loader.one(stored.collection, record_id) is not None:
            stored, write = service.prepare_update(m.group(1), record_id, body)
            return stored, [write], params, "update"
        stored, write = service.prepare_create(m.group(1), body)
        return stored, [write], params, "create"
    if (m := _RECORD_URL.match(parts.path)) and method == "PATCH":
        stored, write = service.prepare_update(m.group(1), m.group(2), body)
        return stored, [write], params, "update"
    if (m := _RECORD_URL.match(parts.path)) and method == "DELETE":
        stored, writes = service.prepare_delete(m.group(1), m.group(2))
        return stored, writes, params, "delete"
    raise BadRequestError(f"Unsupported batch request {method} {parts.path}.")
