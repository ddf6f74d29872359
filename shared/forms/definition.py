"""A form's definition (`options.form` of a `_views` record of type form) and its checks against the collection."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from shared.collections.model import Collection

CaptchaProvider = Literal["turnstile", "hcaptcha"]
# The longest minimum fill time and fill token life: a form left open over a day asks to be fetched again.
MAX_MIN_FILL_SECONDS = 3600
FILL_TOKEN_MAX_AGE_S = 24 * 3600
# Field types a form never asks for: the server sets them (autodate) or computes them.
_UNASKABLE_TYPES = frozenset({"autodate", "password", "formula", "lookup", "rollup"})
# Body keys a submission may carry besides the form's fields.
FILL_TOKEN_KEY = "_fillToken"
CAPTCHA_RESPONSE_KEYS: dict[str, str] = {"turnstile": "cf-turnstile-response", "hcaptcha": "h-captcha-response"}


class _Options(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class FormField(_Options):
    """A field the form asks for: a collection field by name, with what the front end shows."""

    name: str = Field(min_length=1)
    label: str = ""
    help: str = ""
    required: bool = False
    default: Any = None


class HiddenValue(_Options):
    """A value the server sets on every submission (a source tag, a status), never sent to the browser."""

    name: str = Field(min_length=1)
    value: Any = None


class CaptchaOptions(_Options):
    provider: CaptchaProvider
    site_key: str = Field(min_length=1, max_length=200)


class SpamOptions(_Options):
    honeypot: str = ""  # a body key no person fills (a visually hidden input); empty: no honeypot
    min_fill_seconds: int = Field(default=0, ge=0, le=MAX_MIN_FILL_SECONDS)
    captcha: CaptchaOptions | None = None


class FormRateLimit(_Options):
    """Submissions one IP may make to this form per window, counted by the API's rate limiter."""

    max_requests: int = Field(default=10, ge=1, le=10_000)
    duration: int = Field(default=60, ge=1, le=86_400)


class FormDefinition(_Options):
    fields: tuple[FormField, ...] = Field(min_length=1, max_length=100)
    hidden: tuple[HiddenValue, ...] = ()
    success_message: str = Field(default="", max_length=2000)
    redirect_url: str = ""
    enabled: bool = True
    spam: SpamOptions = SpamOptions()
    rate_limit: FormRateLimit = FormRateLimit()

    def asked(self) -> set[str]:
        return {f.name for f in self.fields}


class FormOptionsError(ValueError):
    """A form definition that cannot be saved: `path` names the option (e.g. `form.fields.0.name`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def parse_definition(options: Any) -> FormDefinition:
    """The `form` of a view's options, checked for shape; FormOptionsError names the first bad option."""
    raw = options.get("form") if isinstance(options, dict) else None
    if not isinstance(raw, dict):
        raise FormOptionsError("form", "a form view needs an object `options.form`.")
    try:
        return FormDefinition.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(["form", *(str(p) for p in first["loc"])])
        raise FormOptionsError(path, first["msg"]) from None


def check_against(definition: FormDefinition, collection: Collection) -> None:
    """FormOptionsError unless every named field exists and may be set by a form of this collection."""
    if collection.type != "base":
        raise FormOptionsError("form", "forms create records of base collections only.")
    seen: set[str] = set()
    named = [("fields", i, f.name) for i, f in enumerate(definition.fields)]
    named += [("hidden", i, h.name) for i, h in enumerate(definition.hidden)]
    for kind, i, name in named:
        field = collection.field_by_name(name)
        if field is None or name == "id":
            raise FormOptionsError(f"form.{kind}.{i}.name", f"no field {name!r} a form can set.")
        if field.field_type in _UNASKABLE_TYPES:
            raise FormOptionsError(f"form.{kind}.{i}.name", f"a {field.field_type} field cannot be set by a form.")
        if name in seen:
            raise FormOptionsError(f"form.{kind}.{i}.name", f"{name!r} is named twice.")
        seen.add(name)
    honeypot = definition.spam.honeypot
    if honeypot and (collection.field_by_name(honeypot) is not None or honeypot in _reserved()):
        raise FormOptionsError("form.spam.honeypot", "the honeypot must not be a field of the collection.")
    if definition.redirect_url:
        parts = urlsplit(definition.redirect_url)
        # only web URLs: a `javascript:` redirect would run script on the page that follows it
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FormOptionsError("form.redirectUrl", "must be an http(s) URL.")


def _reserved() -> set[str]:
    return {FILL_TOKEN_KEY, *CAPTCHA_RESPONSE_KEYS.values()}


# What a form page needs to draw each input: the field's type and choices (its rules and other options stay private)
_INPUT_OPTIONS = ("values", "maxSelect", "mimeTypes", "maxSize")


def field_inputs(definition: FormDefinition, collection: Collection | None) -> dict[str, dict[str, Any]]:
    """Each asked field's `input`: `{type, values?, maxSelect?, mimeTypes?, maxSize?}` from the collection."""
    inputs: dict[str, dict[str, Any]] = {}
    for asked in definition.fields:
        field = collection.field_by_name(asked.name) if collection is not None else None
        if field is None:
            continue
        options = field.to_json()
        inputs[asked.name] = {"type": field.field_type,
                              **{key: options[key] for key in _INPUT_OPTIONS if key in options}}
    return inputs


def public_definition(view_id: str, slug: str, name: str, definition: FormDefinition,
                      inputs: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """What `GET /api/forms/{slug}` shows: the hidden values stay on the server, as does any captcha secret."""
    spam = definition.spam
    known = inputs or {}
    return {
        "id": view_id,
        "slug": slug,
        "name": name,
        "fields": [{**f.model_dump(by_alias=True), "input": known.get(f.name, {"type": "text"})}
                   for f in definition.fields],
        "successMessage": definition.success_message,
        "redirectUrl": definition.redirect_url,
        "honeypot": spam.honeypot,
        "minFillSeconds": spam.min_fill_seconds,
        "captcha": ({"provider": spam.captcha.provider, "siteKey": spam.captcha.site_key,
                     "responseField": CAPTCHA_RESPONSE_KEYS[spam.captcha.provider]} if spam.captcha else None),
    }
