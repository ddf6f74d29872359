"""The "file" field's settings and filename values; uploads and deletions belong to the files feature.

This is the extension point for files: the model serialises exactly like PocketBase's FileField so
collections (e.g. users.avatar) round-trip, and values are the stored filenames. Accepting uploads,
checking maxSize/mimeTypes and deleting replaced files are still to be built on top.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from shared.collections.field_errors import (
    FieldError,
    NestedFieldErrors,
    match_error,
    not_in_error,
    required_error,
)
from shared.collections.fields.base import MAX_SAFE_JSON_INT, SettingsContext, check_bounds, run_checks, string_list
from shared.collections.fields.multi_value import MultiValueField

DEFAULT_FILE_MAX_SIZE = 5 << 20
# WxH with an optional crop mode: t(op), b(ottom), f(it); a 0x0 thumb would be the original
THUMB_SIZE_REGEX = re.compile(r"^(\d+)x(\d+)(t|b|f)?$")
ZERO_THUMBS = ("0x0", "0x0t", "0x0b", "0x0f")
MAX_SHOWN_FILENAME = 250


class FileField(MultiValueField):
    """PocketBase's FileField (settings and filename values only)."""

    type: Literal["file"] = "file"
    max_size: int = 0
    mime_types: list[str] = Field(default_factory=list)
    thumbs: list[str] = Field(default_factory=list)
    protected: bool = False
    required: bool = False

    @field_validator("mime_types", "thumbs", mode="before")
    @classmethod
    def _empty_lists(cls, value: Any) -> Any:
        return string_list(value)

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

    def check_new_names(self, names: list[str], old_names: list[str]) -> None:
        """Submitted plain names may only keep existing files: new files must be uploads."""
        added = [name[:MAX_SHOWN_FILENAME] for name in names if name not in old_names]
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
