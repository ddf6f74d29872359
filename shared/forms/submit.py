"""A public form's submission: the abuse checks in order, then a normal record create through the writer.

Order: rate limit (every attempt counts, before the body is read) → honeypot → fill token → only the form's
fields → the form's required fields → captcha → create (the collection's validation, field rules and hooks) →
metadata and count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from msgspec.structs import replace

from shared.collections.datetime import now_string
from shared.errors import BadRequestError
from shared.forms.definition import (
    CAPTCHA_RESPONSE_KEYS,
    FILL_TOKEN_KEY,
    FILL_TOKEN_MAX_AGE_S,
    FormDefinition,
)
from shared.forms.fill_token import FillTokenError, FillTokens
from shared.forms.guards import VerifierFactory
from shared.forms.lookup import FormView
from shared.forms.submissions import FormSubmission, FormSubmissionRepository, FormSubmissionsStorageError
from shared.observability import logger
from shared.records.request_rules import RequestRules
from shared.records.scope import RecordScope
from shared.records.writer import RecordWriter
from shared.tools.filter import Expr

SUBMIT_FAILED = "Failed to submit the form."


class FormGrantedRules(RequestRules):
    """The caller's rules, except that the collection's createRule is granted: the form is the permission.

    The writer asks `rule()` for the createRule alone; every other check (field writeRules, roles, validation,
    hidden fields refused to non-superusers) still runs as for the guest that the caller is.
    """

    def rule(self, rule: str | None) -> Expr | None:
        return None  # the published, enabled form is the create permission (its fields are the whitelist)


class FormSubmissionOutcome(msgspec.Struct):
    record_id: str  # empty for a honeypot hit, which is answered as a success and stores nothing
    message: str
    redirect_url: str

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "redirectUrl": self.redirect_url}


def _error(key: str, code: str, message: str) -> BadRequestError:
    return BadRequestError(SUBMIT_FAILED, {key: {"code": code, "message": message}})


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, list) and all(v == "" for v in value))


def check_fill_token(tokens: FillTokens, form: FormView, definition: FormDefinition, token: Any) -> None:
    try:
        tokens.check(token, form.id, min_fill_s=definition.spam.min_fill_seconds, max_age_s=FILL_TOKEN_MAX_AGE_S)
    except FillTokenError as exc:
        reason = str(exc)
        # one code per cause a real person can meet (too fast, page left open), one for everything forged
        code = {"too fast": "validation_form_too_fast", "expired": "validation_fill_token_expired",
                "missing": "validation_required"}.get(reason, "validation_invalid_fill_token")
        raise _error(FILL_TOKEN_KEY, code, f"Invalid or missing fill token ({reason}); fetch the form again.") from exc


def record_body(definition: FormDefinition, body: dict[str, Any]) -> dict[str, Any]:
    """The create body: the asked fields sent (or their defaults), then the hidden values, set server-side."""
    honeypot = definition.spam.honeypot
    reserved = {FILL_TOKEN_KEY, *CAPTCHA_RESPONSE_KEYS.values(), *([honeypot] if honeypot else [])}
    asked = definition.asked()
    unknown = sorted(k for k in body if k not in asked and k not in reserved)
    if unknown:
        raise BadRequestError(SUBMIT_FAILED, {k: {"code": "validation_unknown_field",
                                                 "message": "The form does not ask for this field."} for k in unknown})
    out: dict[str, Any] = {}
    missing: dict[str, Any] = {}
    for field in definition.fields:
        value = body.get(field.name, field.default)
        if field.required and _blank(value):
            missing[field.name] = {"code": "validation_required", "message": "Cannot be blank."}
        if value is not None:
            out[field.name] = value
    if missing:
        raise BadRequestError(SUBMIT_FAILED, missing)
    for hidden in definition.hidden:
        out[hidden.name] = hidden.value  # set by the server: a value sent for it was refused above as unknown
    return out


class FormSubmitter(msgspec.Struct):
    scope: RecordScope
    tokens: FillTokens
    verifiers: VerifierFactory
    submissions: FormSubmissionRepository
    rate_limit: Callable[[FormView, FormDefinition], None]

    def admit(self, form: FormView, definition: FormDefinition) -> None:
        """The rate limit, before the body is read: a flood of uploads is refused before it is received."""
        self.rate_limit(form, definition)

    def submit(self, form: FormView, definition: FormDefinition, body: dict[str, Any]) -> FormSubmissionOutcome:
        """Check an admitted submission and create its record; 400s name what is wrong, and nothing is written."""
        done = FormSubmissionOutcome("", definition.success_message, definition.redirect_url)
        honeypot = definition.spam.honeypot
        if honeypot and not _blank(body.get(honeypot)):
            # a fake success storing nothing: a bot that is told it failed learns which input gave it away
            logger.info("form honeypot hit", extra={"form": form.id, "ip": self.scope.request.ip})
            return done
        check_fill_token(self.tokens, form, definition, body.get(FILL_TOKEN_KEY))
        values = record_body(definition, body)
        captcha = definition.spam.captcha
        if captcha is not None:
            response = body.get(CAPTCHA_RESPONSE_KEYS[captcha.provider])
            if not isinstance(response, str) or not self.verifiers(captcha).verify(response, self.scope.request.ip):
                raise _error("captcha", "validation_captcha_failed", "The captcha was not solved; try again.")
        # hooks, webhooks and rules see the body the record is made from, not the token and captcha around it
        request = replace(self.scope.request, body=values)
        writer = RecordWriter(self.scope.collections, self.scope.records,
                              FormGrantedRules(request, self.scope.loader), self.scope.hooks)
        created = writer.create(form.collection, values)
        record = created.record
        self._remember(FormSubmission(form_id=form.id, record_id=record.id, collection_id=record.collection_id,
                                      ip=self.scope.request.ip, user_agent=self.scope.request.user_agent[:512],
                                      created=now_string()))
        return FormSubmissionOutcome(record.id, done.message, done.redirect_url)

    def _remember(self, submission: FormSubmission) -> None:
        try:
            self.submissions.add(submission)
        except FormSubmissionsStorageError:
            # the record is written and answered as such; its metadata alone is lost, and said so in the log
            logger.error("form submission metadata not stored", extra={"form": submission.form_id,
                                                                       "record": submission.record_id}, exc_info=True)
