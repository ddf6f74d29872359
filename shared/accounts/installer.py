"""First run, as PocketBase's installer (apis/installer.go): while no superuser exists, a one-time dashboard link
`/_/#/pbinstall/<token>` creates the first one.

PocketBase signs a 30-minute auth token of a placeholder superuser `__pbinstaller@example.com`. Lambdabase keeps
the placeholder (random password, never shown) but hands out an API token of it scoped to `_superusers:create`
only, for 30 minutes, and only the newest one works. The link can create superusers and do nothing else: the
scope check refuses every other action, and an API token never reaches the superuser APIs, the auth endpoints
or a password change. Creating the first real superuser deletes the placeholder, which ends its tokens at once.
"""

from __future__ import annotations

import secrets
import time

from shared.accounts.identity import find_by_identity
from shared.auth.api_tokens_repository import ApiTokenRepository
from shared.catalog.repository import StoredCollection
from shared.collections.system import SUPERUSERS_COLLECTION_NAME
from shared.observability import logger
from shared.records.context import RequestContext
from shared.records.hooks import RecordEvent, RecordHooks
from shared.records.planner import plan_query
from shared.records.query import run_list
from shared.records.scope import RecordScope
from shared.tools.filter import Compare, Identifier, Literal

INSTALLER_EMAIL = "__pbinstaller@example.com"
INSTALLER_TOKEN_NAME = "installer"
INSTALLER_SCOPES = (f"{SUPERUSERS_COLLECTION_NAME}:create",)
# PocketBase's installer token lives 30 minutes; a restart of `make run` prints a fresh link.
INSTALLER_TOKEN_TTL_S = 30 * 60
# The dashboard route PocketBase's UI uses for the link.
INSTALL_ROUTE = "/_/#/pbinstall/"


def has_real_superuser(scope: RecordScope, stored: StoredCollection) -> bool:
    """True once any superuser but the installer placeholder exists (PocketBase's needInstallerSuperuser)."""
    collection = stored.collection
    expr = Compare(Identifier(("email",)), "!=", Literal(INSTALLER_EMAIL))
    plan = plan_query(collection, stored.layout, expr, [], scope.rules.static(collection))
    result = run_list(scope.records, plan, [], page=1, per_page=1, skip_total=True,
                      matcher=lambda r: scope.rules.matches(expr, collection, r),
                      value_of=lambda r, k: None, meter=scope.meter)
    return bool(result.items)


def installer_token(tokens: ApiTokenRepository, now: float | None = None) -> str | None:
    """A fresh install token while no superuser exists (creating the placeholder when missing), else None.
    Only the newest link works: the tokens of earlier starts are revoked first."""
    from shared.accounts.api_tokens import mint_token, revoke_all_tokens

    system = system_scope()
    stored = system.collections.get(SUPERUSERS_COLLECTION_NAME)
    if has_real_superuser(system, stored):
        return None
    placeholder = find_by_identity(system, stored, INSTALLER_EMAIL, ["email"])
    if placeholder is None:
        password = secrets.token_urlsafe(48)[:64]
        body = {"email": INSTALLER_EMAIL, "password": password, "passwordConfirm": password, "verified": True}
        placeholder = system.writer.create(SUPERUSERS_COLLECTION_NAME, body).record
    revoke_all_tokens(tokens, stored.collection.id, placeholder.id)
    minted = mint_token(tokens, stored, placeholder, name=INSTALLER_TOKEN_NAME, scopes=INSTALLER_SCOPES,
                        read_only=False, duration_s=INSTALLER_TOKEN_TTL_S,
                        now=time.time() if now is None else now)
    return str(minted["token"])


def install_link(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + INSTALL_ROUTE + token


def system_scope() -> RecordScope:
    from shared.composition import composition

    svc = composition()
    return RecordScope(svc.collections, svc.records, RequestContext(method="POST", system=True), svc.hooks)


def delete_placeholder_after_first_superuser(event: RecordEvent) -> None:
    """A real superuser now exists: the placeholder goes, and with it every install token (owner deleted)."""
    email = event.collection.field_by_name("email")
    if email is None or event.record.data.get(email.id) == INSTALLER_EMAIL:
        return
    system = system_scope()
    stored = system.collections.get(SUPERUSERS_COLLECTION_NAME)
    placeholder = find_by_identity(system, stored, INSTALLER_EMAIL, ["email"])
    if placeholder is None:
        return
    system.writer.delete(SUPERUSERS_COLLECTION_NAME, placeholder.id)
    logger.info("first superuser created; installer placeholder deleted", extra={"id": event.record.id})


def register_installer_hooks(hooks: RecordHooks) -> None:
    """On the records hook seam: the placeholder's end after any other superuser's creation."""
    hooks.on("after", delete_placeholder_after_first_superuser, actions=("create",),
             collections=(SUPERUSERS_COLLECTION_NAME,))
