"""The "url" field: one URL, optionally limited to (or barred from) some hosts."""


from typing import Any, Literal

from shared.collections.field_errors import FieldError
from shared.collections.fields.base import is_blank_text
from shared.collections.fields.domain_lists import DomainListField
from shared.collections.fields.formats import is_url, url_host


class URLField(DomainListField):
    """PocketBase's URLField; domain lists compare against the URL's host as Go parses it."""

    type: Literal["url"] = "url"

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if is_blank_text(value, required=self.required):
            return
        if not is_url(value):
            raise FieldError("validation_invalid_url", "Must be a valid url")
        if not self.domain_allowed(url_host(value)):
            raise FieldError("validation_url_domain_not_allowed", "Url domain is not allowed")
