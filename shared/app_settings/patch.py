"""PATCH /api/settings's merge: a partial JSON body laid over the current settings as Go's json.Unmarshal does.

Objects merge key by key, arrays and scalars replace, `null` resets a value to its zero ("", 0, false, [], or a
section of zeros: what PocketBase 0.40.6 answers), unknown keys are ignored, and a value of the wrong JSON type
refuses the whole body (PocketBase's "loading the submitted data" error).
"""

from __future__ import annotations

from typing import Any

from shared.app_settings.model import AppSettings

# What one element of each array is, when it is not a string (the zero value Go fills missing keys with).
_RULE_ZERO = {"label": "", "audience": "", "duration": 0, "maxRequests": 0}
# A channel's rules start null (superusers only), as a collection's rules do.
_CHANNEL_ZERO = {"pattern": "", "subscribeRule": None, "publishRule": None, "presence": False}
_ITEM_ZERO: dict[str, Any] = {"rateLimits.rules": _RULE_ZERO, "realtime.channels": _CHANNEL_ZERO,
                              "webhooks.retrySchedule": 0}


class SubmittedDataError(ValueError):
    """The body is not JSON of the settings' shape (an object where a string goes, a string for a number...)."""


def settings_json(settings: AppSettings) -> dict[str, Any]:
    """The settings as PocketBase's JSON, secrets included (the store's and the merge's view, never a reply)."""
    return settings.model_dump(mode="json", by_alias=True)


def merge(current: dict[str, Any], body: object) -> dict[str, Any]:
    """`current` with `body` laid over it; raise SubmittedDataError for a body of the wrong shape."""
    merged = _merge(current, body, "")
    assert isinstance(merged, dict)
    return merged


def zero(value: Any) -> Any:
    """Go's zero value of what `value` is."""
    if isinstance(value, dict):
        return {key: zero(item) for key, item in value.items()}
    if isinstance(value, list):
        return []
    return type(value)()


def _merge(current: Any, patch: Any, path: str) -> Any:
    if patch is None:
        return zero(current)
    if isinstance(current, dict):
        if not isinstance(patch, dict):
            raise SubmittedDataError(path)
        result = dict(current)
        for key, value in patch.items():
            if key in current:
                result[key] = _merge(current[key], value, f"{path}.{key}" if path else key)
        return result
    if isinstance(current, list):
        if not isinstance(patch, list):
            raise SubmittedDataError(path)
        item_zero = _ITEM_ZERO.get(path, "")
        return [_merge(item_zero, item, path + "[]") for item in patch]
    if isinstance(current, bool):
        if not isinstance(patch, bool):
            raise SubmittedDataError(path)
        return patch
    if isinstance(current, int):
        # Go's int refuses 1.5 and "1" alike; Python's json gives an int only for an integer literal.
        if not isinstance(patch, int) or isinstance(patch, bool):
            raise SubmittedDataError(path)
        return patch
    if isinstance(current, str):
        if not isinstance(patch, str):
            raise SubmittedDataError(path)
        return patch
    if current is None:
        # a nullable string (a channel's rule): a string sets it, null (handled above) keeps it null
        if not isinstance(patch, str):
            raise SubmittedDataError(path)
        return patch
    raise SubmittedDataError(path)
