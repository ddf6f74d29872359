"""The "email" field: one address, optionally limited to (or barred from) some domains."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from shared.collections.coerce import to_string
from shared.collections.field_errors import FieldError, empty_error
from shared.collections.fields.base import BaseField, SettingsContext, is_blank_text, run_checks, string_list
from shared.collections.fields.formats import is_domain, is_email


class EmailField(BaseField):
    """PocketBase's EmailField; unset domain lists serialise as [] as PocketBase answers them."""

    type: Literal["email"] = "email"
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
        if not is_email(value):
            raise FieldError("validation_is_email", "must be a valid email address")
        domain = value.rpartition("@")[2]
        if self.only_domains and domain not in self.only_domains:
            raise FieldError("validation_email_domain_not_allowed", "Email domain is not allowed")
        if self.except_domains and domain in self.except_domains:
            raise FieldError("validation_email_domain_not_allowed", "Email domain is not allowed")

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        check_domain_lists(self.except_domains, self.only_domains, errors)


def check_domain_lists(except_domains: list[str] | None, only_domains: list[str] | None,
                       errors: dict[str, FieldError]) -> None:
    """Only one of the two lists may be set, and each entry must be a domain."""

    def check(values: list[str] | None, other: list[str] | None) -> None:
        if values and other:
            raise empty_error()
        for domain in values or ():
            if not is_domain(domain):
                raise FieldError("validation_is_domain", "must be a valid domain")

    run_checks(errors, "exceptDomains", lambda: check(except_domains, only_domains))
    run_checks(errors, "onlyDomains", lambda: check(only_domains, except_domains))
