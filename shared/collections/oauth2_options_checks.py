"""Validation of an auth collection's `oauth2` options on save, as PocketBase's OAuth2Config.Validate."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from shared.collections.field_errors import FieldError, required_error
from shared.collections.model import Collection, OAuth2ProviderConfig

_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                   r"[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


def oauth2_option_errors(collection: Collection) -> dict[str, Any]:
    """Rendered errors of the `oauth2` options: a duplicated provider alone, else every provider's errors by
    index (ozzo runs the list rule first, then each element); nothing while OAuth2 is off, as PocketBase."""
    options = collection.oauth2
    if not options.enabled:
        return {}
    seen: set[str] = set()
    for index, provider in enumerate(options.providers):
        if provider.name and provider.name in seen:
            error = FieldError("validation_duplicated_provider", "The provider {{.name}} is already registered.",
                               {"name": provider.name})
            return {"providers": {str(index): {"name": error.as_data()}}}
        seen.add(provider.name)
    by_index = {str(i): errors for i, p in enumerate(options.providers) if (errors := _provider_errors(p))}
    return {"providers": by_index} if by_index else {}


def _provider_errors(provider: OAuth2ProviderConfig) -> dict[str, Any]:
    # Imported here: the catalogue of providers lives with the sign-in flow, above the collections layer.
    from shared.accounts.oauth2.providers import catalogue

    errors: dict[str, Any] = {}
    if not provider.name:
        errors["name"] = required_error().as_data()
    elif provider.name not in catalogue():
        errors["name"] = FieldError("validation_missing_provider", "Invalid or missing provider with name {{.name}}.",
                                    {"name": provider.name}).as_data()
    for option, value in (("clientId", provider.client_id), ("clientSecret", provider.client_secret)):
        if not value:
            errors[option] = required_error().as_data()
    for option, url in (("authURL", provider.auth_url), ("tokenURL", provider.token_url),
                        ("userInfoURL", provider.user_info_url)):
        if url and not _is_url(url):
            errors[option] = FieldError("validation_is_url", "Must be a valid URL.").as_data()
    return dict(sorted(errors.items()))


def _is_url(text: str) -> bool:
    """govalidator's IsURL, closely enough: an optional http(s) scheme, a host name or IP, no spaces."""
    if any(c.isspace() for c in text) or len(text) >= 2083:
        return False
    try:
        parts = urlsplit(text if "://" in text else "http://" + text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https", "ftp", "ws", "wss") and bool(parts.hostname) \
        and bool(_HOST.match(parts.netloc.rpartition("@")[2].rsplit(":", 1)[0] if not parts.netloc.endswith("]")
                             else parts.netloc.rpartition("@")[2]))
