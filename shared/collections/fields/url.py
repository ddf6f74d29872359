"""The "url" field: one URL, optionally limited to (or barred from) some hosts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from shared.collections.coerce import to_string
from shared.collections.field_errors import FieldError
from shared.collections.fields.base import BaseField, SettingsContext, is_blank_text, string_list
from shared.collections.fields.email import check_domain_lists
from shared.collections.fields.formats import is_url, url_host


class URLField(BaseField):
    """PocketBase's URLField; domain lists compare against the URL's host as Go parses it."""

    type: Literal["url"] = "url"
    except_domains: list[str] = Field(default_factory=list)
    only_domains: list[str] = Field(default_factory=list)
    required: bool = False

    @field_validator("except_domains", "only_domains", mode="before")
    @classmethod
    def _empty_lists(cls, value: Any) -> Any:
        return string_list(value)

    def normalize(self, raw: Any) -> str:
        return to_string(raw)

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if is_blank_text(value, required=self.required):
            return
        if not is_url(value):
            raise FieldError("validation_invalid_url", "Must be a valid url")
        host = url_host(value)
        if self.only_domains and host not in self.only_domains:
            raise FieldError("validation_url_domain_not_allowed", "Url domain is not allowed")
        if self.except_domains and host in self.except_domains:
            raise FieldError("validation_url_domain_not_allowed", "Url domain is not allowed")

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        check_domain_lists(self.except_domains, self.only_domains, errors)
