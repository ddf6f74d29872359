"""Attaching direct uploads: `upload:<slot>` values of a create or update body become checked uploads.

A file field's value (in JSON or a multipart body, under the field's name or its `+` modifiers) may name an
upload slot (shared/files/slots.py) instead of carrying bytes. Before the record's own validation, each such value
is checked and replaced in the body by an `AttachedUpload`, which the field then validates like any upload:
- the slot is genuine, not past its deadline, and for this collection, this field, this record ("" slots are
  for creates only) and this caller;
- the object exists (a HeadObject: its size, checked against the field's maxSize as it is now);
- its type is sniffed from its first bytes (a ranged GET) and checked against the field's mimeTypes.
S3 enforces the slot's POST policy on AWS but moto does not, so these checks are the guarantee everywhere. A
failed check answers PocketBase's 400 and deletes the upload (a deadline or ownership failure leaves it: the
object is not the caller's to delete, and the lifecycle rule sweeps it). The record's file hooks then copy the
object to the record's key before the commit and delete the upload after it (shared/files/record_files.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from shared.collections.fields import FileField
from shared.errors import BadRequestError
from shared.files.names import stored_name
from shared.files.slots import ExpiredSlotError, InvalidSlotError, SlotSigner, UploadSlot, is_slot_token, owner_of
from shared.files.sniff import SNIFF_BYTES, detect_mime, mime_allowed
from shared.files.storage import FileStorage
from shared.files.uploaded import UploadedFile
from shared.records.hooks import RecordEvent, RecordHooks

SignerFactory = Callable[[], SlotSigner]
StorageFactory = Callable[[], FileStorage]


# JPEG and PNG direct uploads up to this size lose their EXIF as request uploads do (read, stripped, stored: a
# few hundred ms in the records function); larger images are copied as uploaded (docs/api-files.md).
EXIF_STRIP_MAX_BYTES = 20 << 20
_EXIF_TYPES = ("image/jpeg", "image/png")


class AttachedUpload(UploadedFile):
    """A direct upload on its way into a record: no bytes in the request, its object at `source_key`;
    `strip_exif` when it is to be stored without its metadata rather than copied as it is."""

    source_key: str
    strip_exif: bool

    def __new__(cls, name: str, original_name: str = "", content: bytes = b"",
                content_type: str = "application/octet-stream", size: int = -1,
                source_key: str = "", strip_exif: bool = False) -> Self:
        made = super().__new__(cls, name, original_name, content, content_type, size)
        made.source_key = source_key
        made.strip_exif = strip_exif
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (AttachedUpload, (str(self), self.original_name, self.content, self.content_type, self.size,
                                 self.source_key, self.strip_exif))


def attached_in(value: Any) -> list[AttachedUpload]:
    items = value if isinstance(value, list | tuple) else [value]
    return [item for item in items if isinstance(item, AttachedUpload)]


def _field_error(action: str, field: FileField, code: str, message: str,
                 params: dict[str, Any] | None = None) -> BadRequestError:
    error: dict[str, Any] = {"code": code, "message": message}
    if params:
        error["params"] = params
    return BadRequestError(f"Failed to {action} record.", {field.name: error})


class UploadAttacher:
    """The `validate` hook: every slot token of the body checked and swapped for its upload, in place."""

    def __init__(self, signer: SignerFactory, storage: StorageFactory) -> None:
        self._signer = signer
        self._storage = storage

    def resolve(self, event: RecordEvent) -> dict[str, Any]:
        body = event.body
        seen: dict[str, AttachedUpload] = {}
        for field in (f for f in event.collection.fields if isinstance(f, FileField)):
            for key in (field.name, f"{field.name}+", f"+{field.name}"):
                if key not in body:
                    continue
                value = body[key]
                if isinstance(value, list):
                    body[key] = [self._resolved(event, field, item, seen) for item in value]
                else:
                    body[key] = self._resolved(event, field, value, seen)
        return {}

    def _resolved(self, event: RecordEvent, field: FileField, value: Any, seen: dict[str, AttachedUpload]) -> Any:
        if not is_slot_token(value):
            return value
        if value not in seen:
            seen[value] = self._attach(event, field, self._slot(event, field, value))
        return seen[value]

    def _slot(self, event: RecordEvent, field: FileField, token: str) -> UploadSlot:
        action = event.action
        try:
            slot = self._signer().open(token)
        except ExpiredSlotError:
            raise _field_error(action, field, "validation_upload_slot_expired",
                               "The upload slot has expired; request a new one.") from None
        except InvalidSlotError:
            raise _field_error(action, field, "validation_invalid_upload_slot", "Invalid upload slot.") from None
        auth = event.request.auth
        caller = owner_of(auth.collection.id, auth.record.id) if auth is not None else ""
        record_id = event.existing.id if event.existing is not None else ""
        # one refusal for every mismatch: a slot is only good for what it was issued for, by whom it was issued
        if (slot.collection_id, slot.field_id, slot.record_id, slot.owner) != (
                event.collection.id, field.id, record_id, caller):
            raise _field_error(action, field, "validation_invalid_upload_slot",
                               "The upload slot was issued for another record, field or user.")
        return slot

    def _attach(self, event: RecordEvent, field: FileField, slot: UploadSlot) -> AttachedUpload:
        storage, action = self._storage(), event.action
        info = storage.head(slot.key)
        if info is None:
            raise _field_error(action, field, "validation_upload_missing",
                               "Nothing was uploaded to the slot (or the multipart upload is not completed).")
        max_size = field.effective_max_size()
        if info.size > max_size:
            storage.delete_many([slot.key])
            raise _field_error(action, field, "validation_file_size_limit",
                               "Failed to upload {{.file}} - the maximum allowed file size is {{.maxSize}} bytes.",
                               {"file": slot.filename[:300], "maxSize": max_size})
        head = storage.read_head(slot.key, SNIFF_BYTES) or b""
        mime = detect_mime(head)
        name = stored_name(slot.filename or "file", head)
        if field.mime_types and not mime_allowed(mime, field.mime_types):
            storage.delete_many([slot.key])
            raise _field_error(action, field, "validation_invalid_mime_type",
                               f"\"{name}\" mime type must be one of: {', '.join(field.mime_types)}.")
        return AttachedUpload(name, slot.filename, b"", mime, info.size, slot.key,
                              strip_exif=mime in _EXIF_TYPES and info.size <= EXIF_STRIP_MAX_BYTES)


def register_attach_hooks(hooks: RecordHooks, signer: SignerFactory, storage: StorageFactory) -> None:
    hooks.on("validate", UploadAttacher(signer, storage).resolve, actions=("create", "update"))
