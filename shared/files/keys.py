"""Where a record's files live in the files bucket: PocketBase's layout, one prefix per kind of object.

- an original: `<collectionId>/<recordId>/<filename>` (PocketBase's `baseFilesPath/filename`);
- its thumbs: `<collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>`, as PocketBase names them;
- a direct upload not attached yet: `uploads/<slotId>/<filename>`.

Collection ids never start with `uploads` (`pbc_...`, `_pb_users_auth_`), so the prefixes never overlap, and
per-prefix IAM grants and lifecycle rules can tell them apart.
"""

from __future__ import annotations

UPLOADS_PREFIX = "uploads/"


def record_prefix(collection_id: str, record_id: str) -> str:
    """Every object of one record, originals and thumbs: what deleting the record deletes."""
    return f"{collection_id}/{record_id}/"


def original_key(collection_id: str, record_id: str, filename: str) -> str:
    return f"{record_prefix(collection_id, record_id)}{filename}"


def thumbs_prefix(collection_id: str, record_id: str, filename: str) -> str:
    """Every thumb of one file: what replacing or removing the file deletes with it."""
    return f"{record_prefix(collection_id, record_id)}thumbs_{filename}/"


def thumb_key(collection_id: str, record_id: str, filename: str, size: str) -> str:
    return f"{thumbs_prefix(collection_id, record_id, filename)}{size}_{filename}"


def upload_key(slot_id: str, filename: str) -> str:
    return f"{UPLOADS_PREFIX}{slot_id}/{filename}"
