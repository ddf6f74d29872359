"""Serving a record's file (`GET /api/files/...`): lookup, protected-file access, thumbs, caching and delivery.

PocketBase 0.40.6's apis/file.go and tools/filesystem `Serve`, on S3: a file up to `direct_max_bytes` is sent
in the Lambda response, a larger one is a 302 to a short-lived presigned GET (docs/api-files.md, Serving).
"""

import hashlib
from collections.abc import Callable

import msgspec
from pydantic import Field

from shared import runtime_resources, settings
from shared.catalog.repository import CollectionRepository
from shared.collections.fields.file import FileField
from shared.collections.model import Collection
from shared.errors import ApiError, NotFoundError
from shared.files import keys
from shared.files.byte_ranges import NO_OVERLAP, RangeError, parse_ranges
from shared.files.storage import FileStorage, ObjectInfo, StoredObject
from shared.files.thumbs import ThumbRenderError, ThumbSpec, has_thumbs, render_thumb, requested_thumb
from shared.records.model import ReadMeter, StoredRecord
from shared.records.repository import RecordRepository

MISSING_COLLECTION = "Missing or invalid collection context."
# tools/filesystem: types a browser may render in place; anything else is always an attachment.
INLINE_TYPES = frozenset((
    "image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp", "image/x-icon", "image/bmp",
    "video/webm", "video/mp4", "video/3gpp", "video/quicktime", "video/x-ms-wmv",
    "audio/basic", "audio/aiff", "audio/mpeg", "audio/midi", "audio/mp3", "audio/wave",
    "audio/wav", "audio/x-wav", "audio/x-mpeg", "audio/x-m4a", "audio/aac",
    "application/pdf", "application/x-pdf",
))
# tools/filesystem `manualExtensionContentTypes`: sniffing gets these wrong, the extension does not.
EXTENSION_TYPES = {
    ".svg": "image/svg+xml", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
FILE_CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
# 30 days, reusable for a day while revalidating: PocketBase's default.
FILE_CACHE_CONTROL = "max-age=2592000, stale-while-revalidate=86400"
# A redirect names a URL that expires: it must not outlive it in any cache.
REDIRECT_CACHE_CONTROL = "no-store"
# Go's strconv.ParseBool, which reads `?download=`; anything else is false.
_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))


class FilesSettings(settings.Observability, settings.Tables):
    """The files function's settings (CDK passes LB_FILES_BUCKET)."""

    files_bucket: str = runtime_resources.FILES_BUCKET.physical_name
    # Lambda caps a response at 6 MB and base64 adds a third: 4 MiB of file is 5.6 MB encoded, leaving room
    # for headers. Anything larger is a redirect to S3.
    direct_max_bytes: int = Field(4 << 20, ge=0, le=4_400_000)
    # Long enough to start a slow download (S3 checks expiry at the start only), short enough to not be shared.
    presign_expires_s: int = Field(60, ge=1, le=3600)
    # Where presigned URLs point; empty on AWS (S3's endpoint), moto's loopback server on the local stack.
    s3_public_endpoint: str = ""


class FileRequest(msgspec.Struct, frozen=True):
    collection: str
    record_id: str
    filename: str
    thumb: str = ""
    download: str = ""
    if_none_match: str = ""
    range: str = ""


class FileResponse(msgspec.Struct):
    """What to answer: a body, a 304 or a redirect, with its headers."""

    status: int
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    body: bytes = b""


# Whether the protected file's record may be viewed by the owner of the request's file token (if any).
AccessCheck = Callable[[Collection, StoredRecord], bool]


def file_field_of(collection: Collection, record: StoredRecord, filename: str) -> FileField | None:
    """The record's file field whose value holds `filename` (PocketBase's FindFileFieldByFile)."""
    for candidate in collection.fields:
        if isinstance(candidate, FileField) and filename in candidate.values_of(record.data.get(candidate.id)):
            return candidate
    return None


def is_download(raw: str) -> bool:
    return raw in _TRUE


def served_headers(served_name: str, content_type: str, *, download: bool, etag: str) -> dict[str, str]:
    """PocketBase's headers for a served file (our ETag in place of its Last-Modified)."""
    disposition = "inline" if not download and content_type in INLINE_TYPES else "attachment"
    extension = served_name[served_name.rfind("."):] if "." in served_name else ""
    return {
        "Content-Disposition": f'{disposition}; filename="{served_name}"',
        "Content-Type": EXTENSION_TYPES.get(extension.lower(), content_type),
        "Content-Security-Policy": FILE_CSP,
        "Cache-Control": FILE_CACHE_CONTROL,
        "ETag": etag,
    }


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against the object's ETag (`*` matches any)."""
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",") if tag.strip()}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def _ranged(headers: dict[str, str], body: bytes, range_header: str) -> FileResponse:
    """The body whole, or the one range the client asked for (206); several ranges get it whole."""
    try:
        ranges = parse_ranges(range_header, len(body))
    except RangeError as exc:
        raise RangeNotSatisfiableError(exc.message, exc.size) from None
    headers["Accept-Ranges"] = "bytes"
    if len(ranges) != 1:
        return FileResponse(200, headers, body)
    wanted = ranges[0]
    return FileResponse(206, {**headers, "Content-Range": wanted.content_range(len(body))},
                        body[wanted.start:wanted.start + wanted.length])


class RangeNotSatisfiableError(ApiError):
    """416 in the error shape, with Go's message and, when nothing overlapped, `Content-Range: bytes */size`."""

    status = 416

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message, headers={"Content-Range": f"bytes */{size}"} if message == NO_OVERLAP else None)


class FileServer(msgspec.Struct):
    config: FilesSettings
    storage: FileStorage
    collections: CollectionRepository
    records: RecordRepository

    def serve(self, request: FileRequest, may_view: AccessCheck) -> FileResponse:
        stored = self.collections.find(request.collection)
        if stored is None:
            raise NotFoundError(MISSING_COLLECTION)
        collection = stored.collection
        record = self.records.get(collection.id, request.record_id, ReadMeter()) if request.record_id else None
        if record is None:
            raise NotFoundError()
        file_field = file_field_of(collection, record, request.filename)
        if file_field is None:
            raise NotFoundError()  # a name not in the record is no file, whatever the bucket holds
        # PocketBase answers every failed protected-file check with the same 404: no hint that the file exists.
        if file_field.protected and not may_view(collection, record):
            raise NotFoundError()
        download = is_download(request.download)
        original = keys.original_key(collection.id, record.id, request.filename)
        spec = requested_thumb(request.thumb, file_field.thumbs)
        if spec is not None:
            thumb = self._thumb(collection.id, record.id, request.filename, spec, original, request, download)
            if thumb is not None:
                return thumb
        info = self.storage.head(original)
        if info is None:
            raise NotFoundError()
        return self._deliver(original, request.filename, info, request, download)

    def _thumb(self, collection_id: str, record_id: str, filename: str, spec: ThumbSpec, original: str,
               request: FileRequest, download: bool) -> FileResponse | None:
        """The thumb, made and stored on first request; None to serve the original instead."""
        served_name = f"{spec.size}_{filename}"
        thumb_key = keys.thumb_key(collection_id, record_id, filename, spec.size)
        # A stored thumb exists only for an image original: a cached one is one GetObject, the original unread.
        cached = self.storage.get(thumb_key)
        if cached is not None:
            return self._deliver(thumb_key, served_name, ObjectInfo(cached.content_type, cached.etag, cached.size),
                                 request, download, cached)
        source = self.storage.get(original)
        if source is None:
            raise NotFoundError()
        if not has_thumbs(source.content_type):
            return None
        try:
            rendered = render_thumb(source.body, source.content_type, spec)
        except ThumbRenderError:
            return None  # PocketBase logs the failure and serves the original
        # Concurrent first requests may each render; S3's conditional put stores exactly one, never overwritten
        # (rendering is deterministic, so every racer's bytes and ETag are the stored ones).
        self.storage.put_if_absent(thumb_key, rendered.body, rendered.content_type)
        etag = f'"{hashlib.md5(rendered.body, usedforsecurity=False).hexdigest()}"'
        info = ObjectInfo(rendered.content_type, etag, len(rendered.body))
        if info.size > self.config.direct_max_bytes:
            return self._redirect(thumb_key, served_name, download)
        return FileResponse(200, served_headers(served_name, info.content_type, download=download, etag=etag),
                            rendered.body)

    def _deliver(self, key: str, served_name: str, info: ObjectInfo, request: FileRequest, download: bool,
                 found: StoredObject | None = None) -> FileResponse:
        """A stored object: 304 when the client has it, a redirect when too large for a Lambda response."""
        if request.if_none_match and etag_matches(request.if_none_match, info.etag):
            headers = served_headers(served_name, info.content_type, download=download, etag=info.etag)
            del headers["Content-Type"]
            return FileResponse(304, headers)
        if info.size > self.config.direct_max_bytes:
            return self._redirect(key, served_name, download)
        found = found or self.storage.get(key)
        if found is None:
            raise NotFoundError()
        headers = served_headers(served_name, found.content_type, download=download, etag=found.etag)
        return _ranged(headers, found.body, request.range)

    def _redirect(self, key: str, served_name: str, download: bool) -> FileResponse:
        url = self.storage.presigned_get(key, expires_s=self.config.presign_expires_s, filename=served_name,
                                         download=download)
        return FileResponse(302, {"Location": url, "Cache-Control": REDIRECT_CACHE_CONTROL})
