"""Composition root of the HTTP functions: repositories, hooks and the authenticator, built once per cold start."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.requests import Request

from shared import runtime_resources, settings
from shared.catalog.repository import CollectionRepository, get_collection_repository
from shared.http.requests import client_ip, request_context
from shared.records.hooks import RecordHooks
from shared.records.repository import RecordRepository, get_record_repository
from shared.records.scope import RecordScope

if TYPE_CHECKING:  # the auth package loads with the first request that carries a token (`caller`)
    from shared.auth.caller import Authenticator, Caller
    from shared.auth.tokens import TokenService

_UNSET = object()


class DataSettings(settings.Observability, settings.Tables, settings.Debug, settings.Batch):
    query_budget: int = 10_000
    files_bucket: str = runtime_resources.FILES_BUCKET.physical_name


class Composition(msgspec.Struct):
    config: DataSettings
    collections: CollectionRepository
    records: RecordRepository
    hooks: RecordHooks

    @property
    def tokens(self) -> TokenService:
        from shared.auth.tokens import get_token_service

        return get_token_service()

    @property
    def authenticator(self) -> Authenticator:
        from shared.auth.api_tokens_repository import get_api_token_repository
        from shared.auth.caller import Authenticator
        from shared.auth.refresh_repository import get_refresh_family_repository

        return Authenticator(self.tokens, self.collections, self.records,
                             get_refresh_family_repository(self.config.system_table),
                             get_api_token_repository(self.config.system_table))

    def caller(self, request: Request) -> Caller | None:
        """The caller, verified once per request (the rate limiter asks first) and kept on the request state;
        a superuser outside `superuserIPs` is refused with PocketBase's 403, every time it is asked for."""
        header = request.headers.get("authorization")
        if not (header or "").strip():
            # A guest needs no keyring, nor the auth package: a cold start serving guests loads neither.
            request.state.lb_auth = None
            return None
        from shared.auth.api_tokens import is_api_token
        from shared.auth.api_tokens_usage import api_token_usage
        from shared.auth.caller import bearer_token, refuse_superuser_ip
        from shared.errors import UnauthorizedError

        cached = getattr(request.state, "lb_auth", _UNSET)
        if cached is _UNSET:
            cached = self.authenticator.authenticate(header) if bearer_token(header) else None
            request.state.lb_auth = cached  # kept even when refused: the request log names it, as PocketBase's
            if cached is not None and cached.grant is not None:
                api_token_usage(self.config.system_table).touch(cached.grant.token_id, client_ip(request))
        caller: Caller | None = cached  # type: ignore[assignment]
        # an API token is never read as a guest: a revoked, expired or malformed one answers 401, not public data
        if caller is None and is_api_token(bearer_token(request.headers.get("authorization"))):
            raise UnauthorizedError()
        if caller is not None and caller.is_superuser:
            refuse_superuser_ip(True, client_ip(request))
        return caller

    def scope(self, request: Request, body: dict[str, Any] | None = None, *, signed_in: bool = True,
              context: str = "default") -> RecordScope:
        """This request's records toolkit; `signed_in=False` ignores any Authorization (sign-in endpoints)."""
        ctx = request_context(request, self.caller(request) if signed_in else None, body, context=context)
        return RecordScope(self.collections, self.records, ctx, self.hooks, self.config.query_budget)


def register_hooks(hooks: RecordHooks, config: DataSettings) -> None:
    """The features that react to record writes; each registers its own hooks here, and only here."""
    from shared.accounts.record_hooks import register_account_hooks
    from shared.files.record_files import register_file_hooks
    from shared.files.storage import get_file_storage
    from shared.forms.view_hooks import register_form_hooks
    from shared.jobs.queue import get_job_queue
    from shared.saved_views.record_hooks import register_saved_view_hooks
    from shared.webhooks.secret_store import get_secret_store
    from shared.webhooks.subscription_hooks import register_webhook_hooks

    register_account_hooks(hooks)
    register_file_hooks(hooks, lambda: get_file_storage(config.files_bucket), cleanup_queue=get_job_queue)
    register_webhook_hooks(hooks, lambda: get_secret_store(config.system_table))
    register_saved_view_hooks(hooks, lambda: get_collection_repository(config.system_table))
    # after the saved views' checks: a form view's `options.form`, which public forms define
    register_form_hooks(hooks, lambda: get_collection_repository(config.system_table))


@lru_cache(maxsize=1)
def composition() -> Composition:
    config = settings.load(DataSettings)
    hooks = RecordHooks()
    # Registered before the first write runs or adds a hook: a read-only cold start never imports the features.
    hooks.on_first_use(lambda registering: register_hooks(registering, config))
    return Composition(config=config, collections=get_collection_repository(config.system_table),
                       records=get_record_repository(config.records_table, config.system_table), hooks=hooks)
