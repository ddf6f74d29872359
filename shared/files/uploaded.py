"""An uploaded file inside a record body: its stored name (it *is* that string), original name and bytes.

Being a `str`, the file passes through the body modifiers, comparisons and storage as the name PocketBase
stores; being its own type, validation tells new uploads from submitted names and the file hooks find its bytes.
"""

from __future__ import annotations

from typing import Any, Self

from shared.files.exif import strip_metadata
from shared.files.names import stored_name
from shared.files.sniff import detect_mime


class UploadedFile(str):
    original_name: str
    content: bytes
    content_type: str
    # as submitted, before EXIF stripping: what maxSize is checked against, as PocketBase checks it
    size: int

    def __new__(cls, name: str, original_name: str = "", content: bytes = b"",
                content_type: str = "application/octet-stream", size: int = -1) -> Self:
        made = super().__new__(cls, name)
        made.original_name = original_name or name
        made.content = content
        made.content_type = content_type
        made.size = len(content) if size < 0 else size
        return made

    @classmethod
    def from_upload(cls, original_name: str, content: bytes) -> UploadedFile:
        """A submitted part: its type sniffed from the bytes (never the client's claim), EXIF stripped."""
        mime = detect_mime(content)
        return cls(stored_name(original_name or "file", content), original_name, strip_metadata(content, mime), mime,
                   len(content))

    def __reduce__(self) -> tuple[Any, ...]:
        return (UploadedFile, (str(self), self.original_name, self.content, self.content_type, self.size))


def uploads_in(value: Any) -> list[UploadedFile]:
    """The new uploads in a file field's value (a name, a list of names, or uploads among them)."""
    items = value if isinstance(value, list | tuple) else [value]
    return [item for item in items if isinstance(item, UploadedFile)]
