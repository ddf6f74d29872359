"""Composition root for HTTP functions: repositories and services built once per cold start."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from fastapi import Request

from shared import settings
from shared.auth.tokens import TokenService, get_token_service
from shared.catalog.repository import CollectionRepository, get_collection_repository
from shared.records.access import authenticate
from shared.records.context import AuthState
from shared.records.repository import RecordRepository, get_record_repository

_UNSET = object()


class DataSettings(settings.Observability, settings.Tables, settings.Debug):
    query_budget: int = 10_000


@dataclass
class Services:
    config: DataSettings
    collections: CollectionRepository
    records: RecordRepository

    @property
    def tokens(self) -> TokenService:
        return get_token_service()

    def auth(self, request: Request) -> AuthState | None:
        """The caller, verified once per request (the rate limiter asks first) and kept on the request state."""
        cached = getattr(request.state, "lb_auth", _UNSET)
        if cached is not _UNSET:
            return cached  # type: ignore[return-value]
        header = request.headers.get("authorization")
        auth = authenticate(header, self.tokens, self.collections, self.records)
        if auth is not None:
            from shared.accounts.sessions import checked_auth

            auth = checked_auth(auth, header)  # a token bound to an ended session is no token
        request.state.lb_auth = auth
        return auth


@lru_cache(maxsize=1)
def services() -> Services:
    config = settings.load(DataSettings)
    return Services(config=config, collections=get_collection_repository(config.system_table),
                    records=get_record_repository(config.records_table))
