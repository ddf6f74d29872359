"""The "file" field: PocketBase's FileField settings, and values mixing kept filenames with new uploads.

Values are stored filenames; a body may also carry UploadedFile values (shared/files/uploaded.py), which this
field keeps through the modifiers and checks against maxSize and mimeTypes. Storing them and deleting replaced
files is the files feature's (shared/files/record_files.py, through the record hooks).
"""


import re
from typing import Any, Literal

from pydantic import field_validator

from shared.collections.coerce import to_unique_strings
from shared.collections.field_errors import (
    FieldError,
    NestedFieldErrors,
    match_error,
    not_in_error,
    required_error,
)
from shared.collections.fields.base import MAX_SAFE_JSON_INT, SettingsContext, check_bounds, run_checks, string_list
from shared.collections.fields.multi_value import MultiValueField
from shared.files.sniff import mime_allowed
from shared.files.uploaded import UploadedFile

DEFAULT_FILE_MAX_SIZE = 5 << 20
# WxH with an optional crop mode: t(op), b(ottom), f(it); a 0x0 thumb would be the original
THUMB_SIZE_REGEX = re.compile(r"^(\d+)x(\d+)(t|b|f)?$")
ZERO_THUMBS = ("0x0", "0x0t", "0x0b", "0x0f")
MAX_SHOWN_FILENAME = 250


class FileField(MultiValueField):
    """PocketBase's FileField (settings and filename values only)."""

    type: Literal["file"] = "file"
    max_size: int = 0
    mime_types: list[str] = []
    thumbs: list[str] = []
    protected: bool = False
    required: bool = False

    @field_validator("mime_types", "thumbs", mode="before")
    @classmethod
    def _empty_lists(cls, value: Any) -> Any:
        return string_list(value)

    def effective_max_size(self) -> int:
        return self.max_size if self.max_size > 0 else DEFAULT_FILE_MAX_SIZE

    def _files(self, raw: Any) -> list[str]:
        """PocketBase's toSliceValue: names and uploads, in order, unique by name."""
        if isinstance(raw, UploadedFile):
            items: list[str] = [raw]
        elif isinstance(raw, list | tuple):
            items = []
            for item in raw:
                cast = [item] if isinstance(item, UploadedFile) else to_unique_strings(item)
                if len(cast) == 1:
                    items.append(cast[0])
        else:
            items = to_unique_strings(raw)
        unique: dict[str, str] = {}
        for item in items:
            if item and str(item) not in unique:
                unique[str(item)] = item
        return list(unique.values())

    def normalize(self, raw: Any) -> str | list[str]:
        files = self._files(raw)
        if self.is_multiple():
            return files
        return files[-1] if files else ""

    def values_of(self, value: Any) -> list[str]:
        return self._files(value)

    def appended(self, current: Any, extra: Any) -> str | list[str]:
        return self.normalize(self._files(current) + self._files(extra))

    def prepended(self, current: Any, extra: Any) -> str | list[str]:
        return self.normalize(self._files(extra) + self._files(current))

    def subtracted(self, current: Any, removed: Any) -> str | list[str]:
        drop = {str(name) for name in self._files(removed)}
        return self.normalize([name for name in self._files(current) if str(name) not in drop])

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        names = self.values_of(value)
        if not names:
            if self.required:
                raise required_error()
            return
        limit = max(self.max_select, 1)
        if len(names) > limit:
            raise FieldError("validation_too_many_files", "The maximum allowed files is {{.maxSelect}}",
                             {"maxSelect": limit})
        for upload in (name for name in names if isinstance(name, UploadedFile)):
            self._check_upload(upload)

    def _check_upload(self, upload: UploadedFile) -> None:
        max_size = self.effective_max_size()
        if upload.size > max_size:
            raise FieldError("validation_file_size_limit",
                             "Failed to upload {{.file}} - the maximum allowed file size is {{.maxSize}} bytes.",
                             {"file": upload.original_name[:300], "maxSize": max_size})
        if self.mime_types and not mime_allowed(upload.content_type, self.mime_types):
            raise FieldError("validation_invalid_mime_type",
                             f"{_go_quote(str(upload))} mime type must be one of: {', '.join(self.mime_types)}.")

    def check_new_names(self, names: list[str], old_names: list[str]) -> None:
        """Submitted plain names may only keep existing files: new files must be uploads."""
        added = [name[:MAX_SHOWN_FILENAME] for name in names
                 if not isinstance(name, UploadedFile) and name not in old_names]
        if added:
            raise FieldError("validation_invalid_file", f"Invalid new files: [{' '.join(added)}].",
                             {"invalidFiles": added})

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        run_checks(errors, "maxSize", lambda: check_bounds(self.max_size, 0, MAX_SAFE_JSON_INT))
        run_checks(errors, "maxSelect", lambda: check_bounds(self.max_select, 0, MAX_SAFE_JSON_INT))
        thumb_errors: dict[str, Any] = {}
        for position, thumb in enumerate(self.thumbs):
            if thumb in ZERO_THUMBS:
                thumb_errors[str(position)] = not_in_error().as_data()
            elif not THUMB_SIZE_REGEX.match(thumb):
                thumb_errors[str(position)] = match_error().as_data()
        if thumb_errors:
            errors["thumbs"] = NestedFieldErrors(thumb_errors)


def _go_quote(text: str) -> str:
    """Go's %q for the plain names a stored filename can hold."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
