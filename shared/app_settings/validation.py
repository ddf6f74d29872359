"""PocketBase 0.40's settings validation (core/settings_model.go), with its error codes, messages and params.

`validate` takes the merged settings as JSON and returns PocketBase's nested per-field errors, `{}` when valid.
As in ozzo-validation, a field's rules run in order and its first failure is its error; format rules skip empty
values, and `Required` treats "", 0, false and [] as blank.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from pydantic import ValidationError

from shared.crons.expression import CronExpressionError
from shared.crons.expression import validate as validate_cron
from shared.ratelimit.rules import RateLimitRule
from shared.tools.filter import FilterError, parse_filter

Errors = dict[str, Any]
Rule = Any  # a callable (value) -> error dict or None

_EMAIL = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_HEX_COLOR = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)"
                       r"(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$")
# A channel pattern: a channel name (shared/realtime/topics.py) in which `*` stands for any run of characters.
_CHANNEL_PATTERN = re.compile(r"^[A-Za-z0-9_.:*\-]{1,100}$")
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^\s/?#:]+(?::\d{1,5})?(?:[/?#]\S*)?$")
SMTP_AUTH_METHODS = ("", "LOGIN", "PLAIN")
AUDIENCES = ("", "@guest", "@auth")


def error(code: str, message: str, **params: Any) -> dict[str, Any]:
    """One field error in PocketBase's shape."""
    return {"code": code, "message": message, **({"params": params} if params else {})}


def _blank(value: Any) -> bool:
    return value in ("", 0, False, None) or value == []


def required(value: Any) -> dict[str, Any] | None:
    return error("validation_required", "Cannot be blank.") if _blank(value) else None


def required_when(condition: bool) -> Rule:
    return required if condition else (lambda value: None)


def minimum(threshold: int) -> Rule:
    def rule(value: Any) -> dict[str, Any] | None:
        if _blank(value) or value >= threshold:
            return None
        return error("validation_min_greater_equal_than_required", f"Must be no less than {threshold}.",
                     threshold=threshold)
    return rule


def maximum(threshold: int) -> Rule:
    def rule(value: Any) -> dict[str, Any] | None:
        if _blank(value) or value <= threshold:
            return None
        return error("validation_max_less_equal_than_required", f"Must be no greater than {threshold}.",
                     threshold=threshold)
    return rule


def length(low: int, high: int) -> Rule:
    def rule(value: Any) -> dict[str, Any] | None:
        if _blank(value) or low <= len(value) <= high:
            return None
        if low == high:
            return error("validation_length_invalid", f"The length must be exactly {low}.", max=high, min=low)
        return error("validation_length_out_of_range", f"The length must be between {low} and {high}.",
                     max=high, min=low)
    return rule


def one_of(*allowed: Any) -> Rule:
    def rule(value: Any) -> dict[str, Any] | None:
        return None if _blank(value) or value in allowed else error("validation_in_invalid", "Must be a valid value.")
    return rule


def _pattern(regex: re.Pattern[str], code: str, message: str) -> Rule:
    def rule(value: Any) -> dict[str, Any] | None:
        return None if _blank(value) or regex.match(value) else error(code, message)
    return rule


is_url = _pattern(_URL, "validation_is_url", "Must be a valid URL.")
is_email = _pattern(_EMAIL, "validation_is_email", "Must be a valid email address.")
is_hex_color = _pattern(_HEX_COLOR, "validation_is_hex_color", "Must be a valid hex color code.")


def is_url_with_host(value: Any) -> dict[str, Any] | None:
    # govalidator's IsURL wants a host that looks like one: a dot, a port, localhost, or an explicit scheme.
    found = is_url(value)
    if found or _blank(value):
        return found
    if "://" in value or "." in value.split("/")[0] or value.startswith("localhost"):
        return None
    return error("validation_is_url", "Must be a valid URL.")


def is_host(value: Any) -> dict[str, Any] | None:
    if _blank(value):
        return None
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    return None if _DNS_NAME.match(value) else error("validation_is_host", "Must be a valid IP address or DNS name.")


def ip_or_subnet(value: Any) -> dict[str, Any] | None:
    if _blank(value):
        return None
    try:
        ipaddress.ip_network(value, strict=False) if "/" in value else ipaddress.ip_address(value)
        return None
    except ValueError:
        # PocketBase's own spelling of the code.
        return error("validation_invlaid_ip_or_subnet", "Invalid IP or CIDR subnet.")


def cron(value: Any) -> dict[str, Any] | None:
    if _blank(value):
        return None
    try:
        validate_cron(value)
        return None
    except CronExpressionError as exc:
        return error(exc.code, str(exc))


def rate_limit_label(value: Any) -> dict[str, Any] | None:
    # The rules' own grammar: PocketBase's labels plus `*` path segments (an additive difference).
    try:
        RateLimitRule.model_validate({"label": value, "maxRequests": 1, "duration": 1})
        return None
    except ValidationError:
        return error("validation_match_invalid", "Must be in a valid format.")


def channel_pattern(value: Any) -> dict[str, Any] | None:
    if _blank(value) or _CHANNEL_PATTERN.match(value):
        return None
    return error("validation_match_invalid", "Must be in a valid format.")


def filter_rule(value: Any) -> dict[str, Any] | None:
    """A rule in the filter language (None and "" are the superusers-only and anyone rules)."""
    if not value:
        return None
    try:
        parse_filter(value)
        return None
    except FilterError as exc:
        # the code and message of an invalid collection rule (shared/collections/validate.py)
        return error("validation_invalid_rule", f"Invalid rule. Raw error: {exc}")


def _realtime(realtime: dict[str, Any]) -> Errors:
    channels: Errors = {}
    for index, channel in enumerate(realtime["channels"]):
        _nested(channels, str(index), fields(channel, {
            "pattern": (required, channel_pattern),
            "subscribeRule": (filter_rule,),
            "publishRule": (filter_rule,),
        }))
    found: Errors = {}
    _nested(found, "channels", channels)
    return found


def fields(obj: dict[str, Any], checks: dict[str, tuple[Rule, ...]]) -> Errors:
    """Run each field's rules in order; its first error is its error."""
    found: Errors = {}
    for name, rules in checks.items():
        for rule in rules:
            problem = rule(obj.get(name))
            if problem:
                found[name] = problem
                break
    return found


def each(values: list[Any], *rules: Rule) -> Errors:
    found: Errors = {}
    for index, value in enumerate(values):
        for rule in rules:
            problem = rule(value)
            if problem:
                found[str(index)] = problem
                break
    return found


def _nested(found: Errors, name: str, errors: Errors) -> None:
    if errors:
        found[name] = errors


def _s3(s3: dict[str, Any]) -> Errors:
    on = required_when(s3["enabled"])
    return fields(s3, {"endpoint": (is_url_with_host, on), "bucket": (on,), "region": (on,),
                       "accessKey": (on,), "secret": (on,)})


def _rules(rules: list[dict[str, Any]], enabled: bool) -> Errors | dict[str, Any]:
    if enabled and not rules:
        return error("validation_required", "Cannot be blank.")
    found: Errors = {}
    for index, rule in enumerate(rules):
        problems = fields(rule, {"label": (required, rate_limit_label), "maxRequests": (required, minimum(1)),
                                 "duration": (required, minimum(1)), "audience": (one_of(*AUDIENCES),)})
        _nested(found, str(index), problems)
    if found:
        return found
    seen: list[str] = []
    for index, rule in enumerate(rules):
        key = f"{rule['label']}@@{rule['audience']}"
        # PocketBase compares by prefix, so `/api/` and `/api/@@@auth` conflict too.
        if any(key.startswith(other) or other.startswith(key) for other in seen):
            return {str(index): {"label": error(
                "validation_conflicting_rate_limit_rule",
                f"Rate limit rule configuration with label {rule['label']} already exists or conflicts with "
                "another rule.", label=rule["label"])}}
        seen.append(key)
    return {}


def validate(settings: dict[str, Any]) -> Errors:
    """PocketBase's errors for these settings (merged JSON, secrets included); `{}` when they are valid."""
    found: Errors = {}
    _nested(found, "superuserIPs", each(settings["superuserIPs"], required, ip_or_subnet))
    meta = settings["meta"]
    _nested(found, "meta", fields(meta, {
        "accentColor": (length(7, 7), is_hex_color),
        "appName": (required, length(1, 255)),
        "appURL": (required, is_url_with_host),
        "senderName": (required, length(1, 255)),
        "senderAddress": (is_email, required),
    }))
    _nested(found, "logs", fields(settings["logs"], {"maxDays": (minimum(0),)}))
    _nested(found, "audit", fields(settings["audit"], {"retentionDays": (required, minimum(1))}))
    smtp = settings["smtp"]
    _nested(found, "smtp", fields(smtp, {
        "host": (required_when(smtp["enabled"]), is_host),
        "port": (required_when(smtp["enabled"]), minimum(0)),
        "authMethod": (one_of(*SMTP_AUTH_METHODS),),
        "localName": (is_host,),
    }))
    _nested(found, "s3", _s3(settings["s3"]))
    backups = settings["backups"]
    backup_errors = fields(backups, {"cron": (cron,),
                                     "cronMaxKeep": (required_when(backups["cron"] != ""), minimum(1))})
    _nested(backup_errors, "s3", _s3(backups["s3"]))
    _nested(found, "backups", dict(sorted(backup_errors.items())))
    batch = settings["batch"]
    _nested(found, "batch", fields(batch, {
        "maxRequests": (required_when(batch["enabled"]), minimum(0)),
        "timeout": (required_when(batch["enabled"]), minimum(0)),
        "maxBodySize": (minimum(0),),
    }))
    limits = settings["rateLimits"]
    limit_errors: Errors = {}
    _nested(limit_errors, "rules", _rules(limits["rules"], limits["enabled"]))
    _nested(limit_errors, "excludedIPs", each(limits["excludedIPs"], required, ip_or_subnet))
    _nested(found, "rateLimits", limit_errors)
    _nested(found, "realtime", _realtime(settings["realtime"]))
    _nested(found, "webhooks", _webhooks(settings.get("webhooks") or {}))
    return found


def _webhooks(hooks: dict[str, Any]) -> Errors:
    found = fields(hooks, {"retryJitter": (minimum(0), maximum(100)), "timeout": (required, minimum(1), maximum(30)),
                           "disableAfter": (minimum(0),), "rotationOverlap": (minimum(0),),
                           "concurrencyPerEndpoint": (required, minimum(1), maximum(10)),
                           "maxRedirects": (minimum(0), maximum(5)),
                           "logMaxDays": (required, minimum(1))})
    schedule = hooks.get("retrySchedule") or []
    if not schedule:
        found["retrySchedule"] = error("validation_required", "Cannot be blank.")
    elif len(schedule) > 20:
        found["retrySchedule"] = error("validation_length_too_long", "At most 20 attempts.")
    else:
        # a wait of more than a day between two attempts outlives the payloads and the log a replay reads
        _nested(found, "retrySchedule", each(schedule, minimum(0), maximum(86400)))
    return found
