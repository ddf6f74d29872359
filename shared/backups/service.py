"""The backups API's logic: list, create, upload, download, restore and delete, with PocketBase's answers."""

from __future__ import annotations

import io
from typing import Any

import msgspec

from shared.backups import archive, names
from shared.backups.context import BackupContext
from shared.backups.job import new_job, start_job
from shared.backups.location import BackupFile
from shared.errors import BadRequestError, NotFoundError

BUSY = "Try again later - another backup/restore process has already been started."
VALIDATION = "An error occurred while validating the submitted data."
MISSING_FOR_RESTORE = "Missing or invalid backup file."
# A download is answered inline up to this size; a larger one is a redirect to S3 (Lambda's 6 MB response).
INLINE_DOWNLOAD_BYTES = 4 * 1024 * 1024
PRESIGNED_URL_S = 60
# A restore request reads the archive's tables up to this size (about a second on Lambda); beyond it, the
# restore's verify task reads them, still before any write.
REQUEST_CHECK_TABLE_BYTES = 64 * 1024 * 1024


class Download(msgspec.Struct, frozen=True):
    key: str
    body: bytes | None = None  # inline, or
    redirect: str | None = None  # a presigned URL


def _field_error(field: str, error: dict[str, Any]) -> BadRequestError:
    return BadRequestError(VALIDATION, {field: error})


class BackupsService:
    def __init__(self, ctx: BackupContext) -> None:
        self.ctx = ctx

    def _busy(self) -> bool:
        return self.ctx.status.running(self.ctx.config.backup_stalled_s, self.ctx.clock()) is not None

    def list(self) -> list[dict[str, Any]]:
        return [f.to_api_json() for f in self.ctx.location.list()]

    def create(self, name: str, app_name: str) -> str:
        """Queue a backup named `name` (PocketBase's generated name when empty); the key it will have."""
        if self._busy():
            raise BadRequestError(BUSY)
        if name:
            error = names.name_error(name)
            if error:
                raise _field_error("name", error)
        key = name or names.generated_name(app_name)
        if self.ctx.location.exists(key):
            raise _field_error("name", {"code": "validation_backup_name_exists",
                                        "message": "The backup file name is invalid or already exists."})
        if not start_job(self.ctx, new_job(self.ctx, "create", key)):
            raise BadRequestError(BUSY)
        return key

    def upload(self, filename: str, data: bytes | None) -> str:
        """Store an uploaded archive under its own name, once checked whole: nothing corrupt gets in."""
        if data is None:
            raise _field_error("file", {"code": "validation_required", "message": "Cannot be blank."})
        if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise _field_error("file", {"code": "validation_invalid_mime_type",
                                        "message": f'"{names.stored_upload_name(filename)}" mime type must be '
                                                   "one of: application/zip."})
        key = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        if not names.is_safe_key(key):
            raise _field_error("file", {"code": "validation_invalid_name", "message": "Invalid file name."})
        if self.ctx.location.exists(key):
            raise _field_error("file", {"code": "validation_backup_name_exists",
                                        "message": "Backup file with the specified name already exists."})
        try:
            archive.validate(io.BytesIO(data), with_files=True)
        except archive.InvalidArchiveError as exc:
            raise _field_error("file", {"code": "validation_invalid_backup",
                                        "message": f"Invalid backup archive: {exc}."}) from exc
        self.ctx.location.put(key, data)
        return key

    def download(self, key: str) -> Download:
        found = self.ctx.location.head(key) if names.is_safe_key(key) else None
        if found is None:
            raise NotFoundError()
        if found.size <= INLINE_DOWNLOAD_BYTES:
            return Download(key, body=self.ctx.location.read_all(key))
        return Download(key, redirect=self.ctx.location.presigned_url(key, PRESIGNED_URL_S))

    def restore(self, key: str) -> None:
        """Check the archive, then queue its restore; a corrupt or foreign one answers 400 and touches nothing."""
        if self._busy():
            raise BadRequestError(BUSY)
        found: BackupFile | None = self.ctx.location.head(key) if names.is_safe_key(key) else None
        if found is None:
            raise BadRequestError(MISSING_FOR_RESTORE)
        try:
            archive.validate(self.ctx.location.open(key), with_files=False,
                             max_table_bytes=REQUEST_CHECK_TABLE_BYTES)
        except archive.InvalidArchiveError as exc:
            raise BadRequestError(f"Invalid backup archive: {exc}.") from exc
        if not start_job(self.ctx, new_job(self.ctx, "restore", key)):
            raise BadRequestError(BUSY)

    def delete(self, key: str) -> None:
        running = self.ctx.status.running(self.ctx.config.backup_stalled_s, self.ctx.clock())
        if running is not None and running.key == key:
            raise BadRequestError("The backup is currently being used and cannot be deleted.")
        if not names.is_safe_key(key) or self.ctx.location.head(key) is None:
            raise BadRequestError(f"Invalid or already deleted backup file. Raw error: \n[key: {key}] "
                                  "resource not found.")
        self.ctx.location.delete(key)
