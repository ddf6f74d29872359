"""`POST /api/batch`: up to 100 create/update/upsert/delete requests applied in one transaction."""

from __future__ import annotations

import re
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
            planned.append(_plan(service, req))
        except ApiError as err:
            raise _request_error(i, err) from err
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


def _one_operation_per_item(planned: list[tuple[Any, list[RecordWrite], dict[str, str], str]]) -> list[RecordWrite]:
    """The batch's writes, as one DynamoDB transaction allows them: at most one operation per item.

    PocketBase runs batch requests one after the other, so a later request may touch what an earlier one
    did. A delete the cascade of an earlier delete already covers is dropped; a unique value claimed twice
    is the later request's 400; any other second change of one item is refused with advice.
    """
    records: set[tuple[str, str]] = set()
    claimed: set[str] = set()
    released: set[str] = set()
    out: list[RecordWrite] = []
    for index, (stored, writes, _, _) in enumerate(planned):
        for write in writes:
            key = (write.record.collection_id, write.record.id)
            if key in records:
                if write.kind == "delete" and all(w.kind == "delete" for w in out
                                                  if (w.record.collection_id, w.record.id) == key):
                    continue
                raise _request_error(index, BadRequestError(
                    "An earlier request of the batch already changes this record; send it in another batch."))
            for claim in write.claims:
                if claim in claimed:
                    action = "create" if write.kind == "create" else "update"
                    raise _request_error(index, BadRequestError(
                        f"Failed to {action} record.",
                        indexing.unique_violations(stored.collection, stored.layout, claim)))
            if released & set(write.claims) or claimed & set(write.releases):
                raise _request_error(index, BadRequestError(
                    "The batch both frees and takes one unique value; send those requests in separate batches."))
            records.add(key)
            claimed.update(write.claims)
            released.update(write.releases)
            out.append(write)
    return out


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
        if record_id and service.records.get(stored.collection.id, record_id, service.meter):
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
