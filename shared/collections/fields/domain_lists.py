"""What the "email" and "url" fields share: PocketBase's `exceptDomains` / `onlyDomains` options and their checks."""


from typing import Any

from pydantic import field_validator

from shared.collections.coerce import to_string
from shared.collections.field_errors import FieldError, empty_error
from shared.collections.fields.base import BaseField, SettingsContext, run_checks, string_list
from shared.collections.fields.formats import is_domain


class DomainListField(BaseField):
    """A text field whose value names a domain that may be limited to, or barred from, some domains."""

    type: str  # declared here so that it keeps its place before the options when a subclass narrows it
    except_domains: list[str] = []
    only_domains: list[str] = []
    required: bool = False

    @field_validator("except_domains", "only_domains", mode="before")
    @classmethod
    def _empty_lists(cls, value: Any) -> Any:
        return string_list(value)  # unset lists serialise as [], as PocketBase answers them

    def normalize(self, raw: Any) -> str:
        return to_string(raw)

    def domain_allowed(self, domain: str) -> bool:
        return not (self.only_domains and domain not in self.only_domains) and domain not in self.except_domains

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        """Only one of the two lists may be set, and each entry must be a domain."""

        def check(values: list[str], other: list[str]) -> None:
            if values and other:
                raise empty_error()
            for domain in values:
                if not is_domain(domain):
                    raise FieldError("validation_is_domain", "must be a valid domain")

        run_checks(errors, "exceptDomains", lambda: check(self.except_domains, self.only_domains))
        run_checks(errors, "onlyDomains", lambda: check(self.only_domains, self.except_domains))
