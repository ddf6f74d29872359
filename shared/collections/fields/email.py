"""The "email" field: one address, optionally limited to (or barred from) some domains."""


from typing import Any, Literal

from shared.collections.field_errors import FieldError
from shared.collections.fields.base import is_blank_text
from shared.collections.fields.domain_lists import DomainListField
from shared.collections.fields.formats import is_email


class EmailField(DomainListField):
    """PocketBase's EmailField."""

    type: Literal["email"] = "email"

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if is_blank_text(value, required=self.required):
            return
        if not is_email(value):
            raise FieldError("validation_is_email", "must be a valid email address")
        if not self.domain_allowed(value.rpartition("@")[2]):
            raise FieldError("validation_email_domain_not_allowed", "Email domain is not allowed")
