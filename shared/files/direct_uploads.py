"""Upload slots for direct uploads to S3: issuing one (a presigned POST or a multipart upload), parts, complete, abort.

What a slot request can be checked against before the record's body exists: the collection and its file field,
the create or update rule as far as it does not depend on that body (shared/files/slot_rules.py), the declared
size against the field's maxSize and a pinned type against its mimeTypes.
Everything is checked again on attach (shared/files/attach.py), with the object's real size and sniffed type.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared import runtime_resources, settings
from shared.collections.fields import FileField
from shared.collections.model import Collection
from shared.errors import BadRequestError, ForbiddenError, NotFoundError
from shared.files.slot_rules import create_rule_judgeable, update_rule_judgeable
from shared.files.slots import InvalidSlotError, SlotSigner, UploadSlot, new_slot_id, owner_of
from shared.files.sniff import mime_allowed
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

# S3's limits: a POST (like a PutObject) takes at most 5 GiB, a multipart upload 10,000 parts of 5 MiB to
# 5 GiB (the last one smaller); PocketBase's largest body is about 8 GB, which a multipart slot covers.
MAX_POST_BYTES = 5 << 30
MIN_PART_BYTES = 5 << 20
MAX_PART_BYTES = 5 << 30
MAX_PARTS = 10_000
MAX_PARTS_PER_REQUEST = 1_000
SLOT_FAILED = "Failed to create the upload slot."
CREATE_REFUSED = "The collection's create rule does not allow you to upload."


class UploadSettings(settings.Observability, settings.Tables):
    files_bucket: str = runtime_resources.FILES_BUCKET.physical_name
    s3_public_endpoint: str = ""
    # How long a presigned POST or part URL works: minutes, so a leaked URL is soon useless.
    upload_url_expires_s: int = Field(900, ge=60, le=3600)
    # How long a slot can be attached: room for a slow multipart upload, well inside the uploads/ rule's day.
    upload_slot_ttl_s: int = Field(6 * 3600, ge=60, le=20 * 3600)
    upload_part_bytes: int = Field(16 << 20, ge=MIN_PART_BYTES, le=MAX_PART_BYTES)


class SlotRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    collection: str = Field(min_length=1)
    field: str = Field(min_length=1)
    record: str = ""
    filename: str = Field(min_length=1, max_length=300)
    size: int | None = Field(default=None, ge=0)
    content_type: str = Field(default="", alias="contentType", max_length=255)
    multipart: bool = False
    part_size: int | None = Field(default=None, alias="partSize", ge=MIN_PART_BYTES, le=MAX_PART_BYTES)


class PartsRequest(BaseModel):
    slot: str = Field(min_length=1)
    part_numbers: list[int] = Field(alias="partNumbers", min_length=1, max_length=MAX_PARTS_PER_REQUEST)


class CompletedPart(BaseModel):
    part_number: int = Field(alias="partNumber", ge=1, le=MAX_PARTS)
    etag: str = Field(min_length=1)


class CompleteRequest(BaseModel):
    slot: str = Field(min_length=1)
    parts: list[CompletedPart] | None = Field(default=None, max_length=MAX_PARTS)


class SlotOnly(BaseModel):
    slot: str = Field(min_length=1)


class DirectUploads(Protocol):
    def presigned_post(self, key: str, *, max_size: int, content_type: str, expires_s: int) -> dict[str, Any]: ...
    def create_multipart(self, key: str) -> str: ...
    def presigned_part(self, key: str, upload_id: str, part_number: int, expires_s: int) -> str: ...
    def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]] | None) -> bool: ...
    def abort(self, key: str, upload_id: str) -> None: ...


def parsed(model: type[BaseModel], body: dict[str, Any], message: str = SLOT_FAILED) -> Any:
    """The body as `model`, or PocketBase's 400 naming each bad key."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        data = {str(e["loc"][0]) if e["loc"] else "body": {"code": "validation_invalid_value", "message": e["msg"]}
                for e in exc.errors()}
        raise BadRequestError(message, data) from None


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.000Z")


def _invalid(key: str, code: str, message: str, params: dict[str, Any] | None = None) -> BadRequestError:
    error: dict[str, Any] = {"code": code, "message": message}
    if params:
        error["params"] = params
    return BadRequestError(SLOT_FAILED, {key: error})


def part_size_for(size: int, wanted: int) -> int:
    """The part size: the one asked for, raised (to whole MiB) until `size` fits S3's 10,000 parts."""
    needed = math.ceil(size / MAX_PARTS / (1 << 20)) << 20
    return max(wanted, needed, MIN_PART_BYTES)


class SlotService(msgspec.Struct):
    config: UploadSettings
    signer: SlotSigner
    uploads: DirectUploads

    def open(self, scope: RecordScope, body: dict[str, Any]) -> dict[str, Any]:
        """A new slot for the caller: its token, staging key, deadline and how to upload to it."""
        wanted: SlotRequest = parsed(SlotRequest, body)
        stored = scope.collections.find(wanted.collection)
        if stored is None:
            raise NotFoundError("Missing or invalid collection context.")
        collection = stored.collection
        field = self._file_field(collection, wanted.field)
        self._check_rules(scope, collection, wanted.record)
        max_size = field.effective_max_size()
        if wanted.size is not None and wanted.size > max_size:
            raise _invalid("size", "validation_file_size_limit",
                           "Failed to upload {{.file}} - the maximum allowed file size is {{.maxSize}} bytes.",
                           {"file": wanted.filename, "maxSize": max_size})
        if wanted.content_type and field.mime_types and not mime_allowed(wanted.content_type, field.mime_types):
            raise _invalid("contentType", "validation_invalid_mime_type",
                           f"The mime type must be one of: {', '.join(field.mime_types)}.")
        if wanted.multipart and wanted.size is None:
            raise _invalid("size", "validation_required", "A multipart upload needs its size.")
        if not wanted.multipart:
            if wanted.size is not None and wanted.size > MAX_POST_BYTES:
                raise _invalid("multipart", "validation_multipart_required",
                               "Files over 5 GiB need a multipart upload.")
            max_size = min(max_size, MAX_POST_BYTES)
        auth = scope.request.auth
        expires = int(time.time()) + self.config.upload_slot_ttl_s
        slot = UploadSlot(slot_id=new_slot_id(), collection_id=collection.id, field_id=field.id,
                          record_id=wanted.record, filename=wanted.filename, max_size=max_size, expires=expires,
                          owner=owner_of(auth.collection.id, auth.record.id) if auth else "")
        answer: dict[str, Any] = {"key": slot.key, "expires": _iso(expires), "maxSize": max_size}
        if not wanted.multipart:
            answer["post"] = self.uploads.presigned_post(slot.key, max_size=max_size,
                                                         content_type=wanted.content_type,
                                                         expires_s=self.config.upload_url_expires_s)
            return {"slot": self.signer.seal(slot), **answer}
        size = wanted.size or 0
        part_size = part_size_for(size, wanted.part_size or self.config.upload_part_bytes)
        count = max(1, math.ceil(size / part_size))
        slot = msgspec.structs.replace(slot, part_count=count, upload_id=self.uploads.create_multipart(slot.key))
        first = list(range(1, min(count, MAX_PARTS_PER_REQUEST) + 1))
        answer["multipart"] = {"uploadId": slot.upload_id, "partSize": part_size, "partCount": count,
                               "parts": self._part_urls(slot, first)}
        return {"slot": self.signer.seal(slot), **answer}

    def parts(self, scope: RecordScope, body: dict[str, Any]) -> dict[str, Any]:
        """Fresh presigned URLs for some parts of a multipart slot (part URLs expire long before the slot)."""
        wanted: PartsRequest = parsed(PartsRequest, body, "Failed to presign the parts.")
        slot = self._own_multipart(scope, wanted.slot)
        # only the parts the declared size makes: a slot cannot stage more than it was issued for
        if any(not 1 <= n <= slot.part_count for n in wanted.part_numbers):
            raise BadRequestError("Failed to presign the parts.", {"partNumbers": {
                "code": "validation_invalid_value", "message": f"Part numbers run from 1 to {slot.part_count}."}})
        return {"parts": self._part_urls(slot, wanted.part_numbers)}

    def complete(self, scope: RecordScope, body: dict[str, Any]) -> dict[str, Any]:
        wanted: CompleteRequest = parsed(CompleteRequest, body, "Failed to complete the upload.")
        slot = self._own_multipart(scope, wanted.slot)
        parts = [(p.part_number, p.etag) for p in wanted.parts] if wanted.parts is not None else None
        if not self.uploads.complete(slot.key, slot.upload_id, parts):
            raise BadRequestError("Failed to complete the upload.", {"parts": {
                "code": "validation_invalid_parts",
                "message": "The parts are missing, unknown, or too small (5 MiB each but the last)."}})
        return {"slot": wanted.slot, "key": slot.key}

    def abort(self, scope: RecordScope, body: dict[str, Any]) -> None:
        wanted: SlotOnly = parsed(SlotOnly, body, "Failed to abort the upload.")
        slot = self._own_multipart(scope, wanted.slot)
        self.uploads.abort(slot.key, slot.upload_id)

    def _part_urls(self, slot: UploadSlot, numbers: list[int]) -> list[dict[str, Any]]:
        return [{"partNumber": n, "url": self.uploads.presigned_part(slot.key, slot.upload_id, n,
                                                                     self.config.upload_url_expires_s)}
                for n in numbers]

    def _own_multipart(self, scope: RecordScope, token: str) -> UploadSlot:
        try:
            slot = self.signer.open(token)
        except InvalidSlotError:
            raise BadRequestError("Invalid or expired upload slot.", {"slot": {
                "code": "validation_invalid_upload_slot", "message": "Invalid or expired upload slot."}}) from None
        auth = scope.request.auth
        caller = owner_of(auth.collection.id, auth.record.id) if auth else ""
        # a slot token is a capability, but only in the hands of whom it was issued to
        if slot.owner != caller or not slot.upload_id:
            raise BadRequestError("Invalid or expired upload slot.", {"slot": {
                "code": "validation_invalid_upload_slot", "message": "Not a multipart slot of yours."}})
        return slot

    @staticmethod
    def _file_field(collection: Collection, name: str) -> FileField:
        found = collection.field_by_name(name)
        if not isinstance(found, FileField):
            raise _invalid("field", "validation_invalid_file_field", f"{collection.name} has no file field {name!r}.")
        if collection.type == "view":
            raise _invalid("collection", "validation_invalid_collection", "View collections take no uploads.")
        return found

    @staticmethod
    def _check_rules(scope: RecordScope, collection: Collection, record_id: str) -> None:
        rules = scope.rules
        rules.require_action(collection, "update" if record_id else "create")
        if not record_id:
            # a null create rule is for superusers only (403); a rule on the caller alone is judged now, and
            # one that reads the record or the body on attach
            rule = rules.rule(collection.create_rule)
            if rule is not None and create_rule_judgeable(rule) and not rules.matches(
                    rule, collection, StoredRecord(collection.id, "", {})):
                raise ForbiddenError(CREATE_REFUSED)
            return
        rule = rules.rule(collection.update_rule)
        existing = rules.loader.one(collection, record_id)
        judged = rule if rule is not None and update_rule_judgeable(rule) else None
        # as an update: a record the caller may not update is not found
        if existing is None or not rules.matches(judged, collection, existing, existing=existing):
            raise NotFoundError()
