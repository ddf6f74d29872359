"""`auth-with-oauth2`: exchange the code (PKCE), fetch the provider's user, then find, link or create the auth
record as PocketBase does, with its `_externalAuths` row and PocketBase's `meta`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import msgspec

from shared.accounts.auth_events import AuthEventHooks, auth_envelope
from shared.accounts.auth_records import (
    LOAD_FAILED,
    check_auth_rule,
    email_of,
    find_by_email,
    is_superusers,
    load,
    system_service,
    value,
)
from shared.accounts.oauth2.apple_names import AppleNameStore
from shared.accounts.oauth2.discovery import provider_of, random_text
from shared.accounts.oauth2.external_auths import create_link, delete_links, find_link
from shared.accounts.oauth2.outbound import Outbound, OutboundError
from shared.accounts.oauth2.provider import AuthUser, ProviderError, nonce_for
from shared.catalog.repository import StoredCollection
from shared.collections.fields.file import FileField
from shared.collections.model import OAuth2ProviderConfig
from shared.collections.oauth2_secrets import UnsealableSecretError, default_cipher, unsealed
from shared.collections.system import EXTERNAL_AUTHS_COLLECTION_NAME
from shared.errors import BadRequestError, ForbiddenError, field_error
from shared.events.catalogue import AUTH_SIGNIN, AUTH_SIGNIN_FAILED
from shared.files.uploaded import UploadedFile
from shared.observability import logger
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

OAUTH2_DISABLED = "The collection is not configured to allow OAuth2 authentication."
TOKEN_FAILED = "Failed to fetch OAuth2 token."
USER_FAILED = "Failed to fetch OAuth2 user."
FAILED = "Failed to authenticate."
RANDOM_PASSWORD_LENGTH = 30
MAX_AVATAR_BYTES = 5 * 1024 * 1024  # the default avatar field's maxSize; PocketBase reads up to its body limit


class OAuth2Form(msgspec.Struct, frozen=True):
    """The body, bound as PocketBase's recordOAuth2LoginForm (`redirectUrl` is its deprecated spelling)."""

    provider: OAuth2ProviderConfig
    code: str
    code_verifier: str
    redirect_url: str
    create_data: dict[str, Any]


class OAuth2SignIn(msgspec.Struct, frozen=True):
    record: StoredRecord
    meta: dict[str, Any]


def oauth2_form(stored: StoredCollection, body: dict[str, Any]) -> OAuth2Form:
    """Bind and validate the body; PocketBase answers both failures with its "loading" message."""
    texts = {name: body.get(name) for name in ("provider", "code", "codeVerifier", "redirectURL", "redirectUrl")}
    create_data = body.get("createData")
    if any(v is not None and not isinstance(v, str) for v in texts.values()) or \
            (create_data is not None and not isinstance(create_data, dict)):
        raise BadRequestError(LOAD_FAILED)
    name, code = str(texts["provider"] or ""), str(texts["code"] or "")
    errors: dict[str, Any] = {}
    config = next((p for p in stored.collection.oauth2.providers if p.name == name), None)
    if not name:
        errors["provider"] = field_error("validation_required", "Cannot be blank.")
    elif len(name) > 100:
        errors["provider"] = {**field_error("validation_length_too_long", "The length must be no more than 100."),
                              "params": {"max": 100, "min": 0}}
    elif config is None:
        errors["provider"] = {**field_error("validation_invalid_provider",
                                            f"Provider with name {name} is missing or is not enabled."),
                              "params": {"name": name}}
    if not code:
        errors["code"] = field_error("validation_required", "Cannot be blank.")
    if errors or config is None:
        raise BadRequestError(LOAD_FAILED, errors)
    return OAuth2Form(config, code, str(texts["codeVerifier"] or ""),
                      str(texts["redirectURL"] or texts["redirectUrl"] or ""), dict(create_data or {}))


def oauth2_sign_in(service: RecordScope, stored: StoredCollection, body: dict[str, Any], outbound: Outbound,
                   events: AuthEventHooks | None = None, apple_names: AppleNameStore | None = None) -> OAuth2SignIn:
    """The signed-in record and its `meta`; PocketBase's 403/400s otherwise. `events` hears auth.signin (and
    auth.signin_failed when the provider refuses), with the method and provider, never a code or token."""
    hooks = events or AuthEventHooks()
    collection = stored.collection
    if not collection.oauth2.enabled:
        raise ForbiddenError(OAUTH2_DISABLED)
    form = oauth2_form(stored, body)
    log = {"collection_id": collection.id, "provider": form.provider.name}
    try:
        config = unsealed(collection.id, form.provider, default_cipher())
    except UnsealableSecretError as exc:
        logger.warning("OAuth2 client secret not decrypted", extra={**log, "error": str(exc)})
        raise BadRequestError(TOKEN_FAILED) from exc
    provider = provider_of(config, outbound)
    if provider is None:  # a configuration saved before its provider module was removed
        raise BadRequestError(FAILED)
    try:
        # The provider checks the verifier against the challenge of the authorization request (RFC 7636), and
        # the redirect URI exactly against the one the code was issued for (RFC 9700 2.1).
        token = provider.exchange(form.code, form.redirect_url, form.code_verifier)
    except ProviderError as exc:
        logger.info("OAuth2 code exchange failed", extra={**log, "error": str(exc)})
        hooks.emit(auth_envelope(AUTH_SIGNIN_FAILED, service, stored, None, method="oauth2",
                                 provider=config.name, reason="token"))
        raise BadRequestError(TOKEN_FAILED) from exc
    try:
        user = provider.fetch_user(token, nonce_for(form.code_verifier))
    except ProviderError as exc:
        logger.info("OAuth2 user fetch failed", extra={**log, "error": str(exc)})
        hooks.emit(auth_envelope(AUTH_SIGNIN_FAILED, service, stored, None, method="oauth2",
                                 provider=config.name, reason="user"))
        raise BadRequestError(USER_FAILED) from exc
    if config.name == "apple" and not user.name and apple_names is not None:
        # Apple sent the name only to /api/oauth2-redirect, once (PocketBase's same hand-over, a minute long).
        user.name = apple_names.take(form.code) or ""
    record, is_new = _find_link_or_create(service, stored, form, user, outbound)
    check_auth_rule(service, stored, record)
    logger.info("OAuth2 sign-in", extra={**log, "record_id": record.id, "is_new": is_new})
    hooks.emit(auth_envelope(AUTH_SIGNIN, service, stored, record, method="oauth2", provider=config.name,
                             isNew=is_new))
    return OAuth2SignIn(record, user.meta(is_new))


def _find_link_or_create(service: RecordScope, stored: StoredCollection, form: OAuth2Form, user: AuthUser,
                         outbound: Outbound) -> tuple[StoredRecord, bool]:
    """PocketBase's order: the linked record, else the signed-in caller, else the record with the verified
    email the provider vouches for, else a new record."""
    name = form.provider.name
    link = find_link(service, stored, name, user.id)
    record: StoredRecord | None = None
    if link is not None:
        record = load(service, stored, link.record_id)
        if record is None:
            # The record was deleted and its link outlived it: drop the link, so this account can sign up again.
            system_service(service).writer.delete(EXTERNAL_AUTHS_COLLECTION_NAME, link.id)
            link = None
    caller = service.request.auth
    if record is None and caller is not None and caller.collection.id == stored.collection.id:
        record = caller.record
    if record is None and user.email:
        record = find_by_email(service, stored, user.email)
    if record is None:
        created = _create(service, stored, form, user, outbound)
        try:
            create_link(service, stored, created.id, name, user.id)
        except BadRequestError:
            # A concurrent sign-in linked this account first: undo the record, so nothing is half-written.
            system_service(service).writer.delete(stored.collection.id, created.id)
            raise
        return created, True
    was_verified = bool(value(stored, record, "verified"))
    is_caller = caller is not None and caller.record.id == record.id and caller.collection.id == stored.collection.id
    record = _update_existing(service, stored, record, user, is_caller=is_caller)
    if link is None or not was_verified:  # an unverified record's links were all just deleted
        create_link(service, stored, record.id, name, user.id)
    return record, False


def _download_avatar(outbound: Outbound, url: str, field: FileField) -> UploadedFile | None:
    """The avatar as an upload for the file field, as PocketBase downloads it; None (logged) when it cannot be had,
    which never fails the sign-in. Fetched as every provider call (SSRF-checked), at most the field's size."""
    limit = min(field.effective_max_size(), MAX_AVATAR_BYTES)
    try:
        content = outbound.get_bytes(url, limit)
    except OutboundError as exc:
        logger.warning("OAuth2 avatar not downloaded", extra={"error": str(exc)})
        return None
    if not content:
        return None
    return UploadedFile.from_upload(urlsplit(url).path.rsplit("/", 1)[-1] or "avatar", content)


def _create(service: RecordScope, stored: StoredCollection, form: OAuth2Form, user: AuthUser,
            outbound: Outbound) -> StoredRecord:
    # PocketBase's extra check: OAuth2 never signs up a superuser.
    if is_superusers(stored):
        raise BadRequestError(FAILED)
    collection = stored.collection
    payload = dict(form.create_data)
    if not isinstance(payload.get("email"), str) or not payload.get("email"):
        payload["email"] = user.email
    mapped = collection.oauth2.mapped_fields
    for field_name, provided in ((mapped.id, user.id), (mapped.name, user.name), (mapped.username, user.username)):
        if field_name and field_name not in payload:
            payload[field_name] = provided
    avatar_field = collection.field_by_name(mapped.avatar_url) if mapped.avatar_url else None
    if avatar_field is not None and mapped.avatar_url not in payload and user.avatar_url:
        if isinstance(avatar_field, FileField):
            avatar = _download_avatar(outbound, user.avatar_url, avatar_field)
            if avatar is not None:
                payload[mapped.avatar_url] = avatar
        else:
            payload[mapped.avatar_url] = user.avatar_url
    if "password" not in payload:
        # Nobody knows this password: the record signs in with its provider until someone sets one.
        payload["password"] = payload["passwordConfirm"] = random_text(RANDOM_PASSWORD_LENGTH)
    # As the caller (a guest, usually), so the collection's createRule decides, as PocketBase's internal request.
    created = service.writer.create(collection.id, payload).record
    if email_of(stored, created) == user.email and not value(stored, created, "verified"):
        system_service(service).writer.update(collection.id, created.id, {"verified": True})
        created = load(service, stored, created.id) or created
    return created


def _update_existing(service: RecordScope, stored: StoredCollection, record: StoredRecord, user: AuthUser, *,
                     is_caller: bool) -> StoredRecord:
    """PocketBase's pre-hijacking defences on an unverified record, then the email and verified updates."""
    changes: dict[str, Any] = {}
    verified = bool(value(stored, record, "verified"))
    if not verified and not is_caller:
        # Someone may have pre-created the account with a password they know: it no longer signs in.
        password = random_text(RANDOM_PASSWORD_LENGTH)
        changes |= {"password": password, "passwordConfirm": password}
    if not verified:
        # Nor may a link another provider made for the pre-created record: an unverified record keeps one link.
        delete_links(service, stored, record.id)
    email = email_of(stored, record)
    if not email and user.email:
        changes["email"] = email = user.email
    if not verified and (not email or email == user.email):
        changes["verified"] = True
    if not changes:
        return record
    system_service(service).writer.update(stored.collection.id, record.id, changes)
    return load(service, stored, record.id) or record
