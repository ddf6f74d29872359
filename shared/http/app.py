"""App factory shared by every HTTP function (Starlette + Mangum): PocketBase error shape, body parsing, guards,
Lambda entry."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mangum import Mangum
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from shared import aws
from shared.errors import ApiError
from shared.http.body import parse_body
from shared.http.failures import UnhandledErrorMiddleware
from shared.http.metrics import install_request_metrics
from shared.http.query_limits import check_query_limits
from shared.http.router import Router
from shared.logs.middleware import install_request_log
from shared.observability import Handler, instrument

if TYPE_CHECKING:
    from shared.ratelimit.limiter import RateLimiter

NOT_FOUND = "The requested resource wasn't found."
# PocketBase serves every unmatched GET (and so HEAD) from its public folder: "File not found." there.
FILE_NOT_FOUND = "File not found."


def not_found_message(method: str) -> str:
    """PocketBase's 404 text for a request no route takes: it depends only on the method."""
    return FILE_NOT_FOUND if method.upper() in ("GET", "HEAD") else NOT_FOUND


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


def create_app(routers: Iterable[Router]) -> Starlette:
    """Build one function's app from its own routers."""

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        # A known path with another method is a 404 in PocketBase, as an unknown path: no Allow header either.
        status = 404 if exc.status_code == 405 else exc.status_code
        message = not_found_message(request.method) if status == 404 else str(exc.detail)
        return JSONResponse({"status": status, "message": message, "data": {}}, status_code=status)

    guards = (check_query_limits, parse_body)
    app = Starlette(routes=[route.to_starlette(guards) for router in routers for route in router.routes],
                    exception_handlers={ApiError: api_error, StarletteHTTPException: http_error})
    # Never redirect "/path/" to "/path": Starlette builds that Location from the Host header, which the
    # client controls (an open redirect); PocketBase answers 404 there too.
    app.router.redirect_slashes = False
    install_request_metrics(app)
    # Unexpected errors are answered by a middleware inside the guards, not by an `Exception` handler, which
    # Starlette runs outermost: there a 500 would miss CORS and the security headers.
    app.add_middleware(UnhandledErrorMiddleware)
    return app


_loops = threading.local()


def _ensure_event_loop() -> None:
    """Give this thread an event loop: Mangum asks for one, and Python 3.14 no longer makes one on demand."""
    if getattr(_loops, "loop", None) is None:
        _loops.loop = asyncio.new_event_loop()
    asyncio.set_event_loop(_loops.loop)


def identify_caller(request: Request) -> tuple[str | None, bool]:
    """Who the rate limiter counts: (collection:record of a valid token, is superuser), or a guest.

    The verified auth state is kept on the request, so the endpoint does not verify the token a second time.
    """
    auth = verified_caller(request)
    if auth is None:
        return None, False
    if auth.grant is not None:
        # an API token is its own limiter key, and a superuser's token is limited too: scripts run away
        return f"apitoken:{auth.grant.token_id}", False
    return f"{auth.collection.id}:{auth.record.id}", auth.is_superuser


def verified_caller(request: Request) -> Any:
    """The caller of a valid token (verified once per request, kept on it), or None: for a guest, and always in a
    function without the signing key, which can verify no token and so recognises nobody."""
    if not request.headers.get("authorization") or not handles_data():
        return None
    from shared.composition import composition  # the data layer only once a token has to be checked

    return composition().caller(request)


def handles_data() -> bool:
    """Whether this function was given the signing key, without which it can verify no token."""
    from shared import settings
    from shared.auth.settings import AuthSecret

    secret = settings.load(AuthSecret)
    return bool(secret.auth_secret_arn or secret.auth_secret)


def keyring_in_secrets_manager() -> bool:
    """Whether this function reads its signing keyring from Secrets Manager (LB_AUTH_SECRET_ARN)."""
    from shared import settings
    from shared.auth.settings import AuthSecret

    return bool(settings.load(AuthSecret).auth_secret_arn)


def function_rate_limiter(rate_limited: bool = True) -> RateLimiter:
    """The LB_RATE_LIMITS limiter over the system table, or an inert one for a function that keeps no counters."""
    from shared.ratelimit.limiter import RateLimiter, default_rate_limiter
    from shared.ratelimit.repository import InMemoryRateLimitCounterRepository

    if not rate_limited or not handles_data():
        return RateLimiter((), InMemoryRateLimitCounterRepository(), enabled=False)
    return default_rate_limiter()


def install_guards(app: Starlette, *, rate_limited: bool = True) -> None:
    """Rate limiting inside CORS and the security headers, as every deployed HTTP function runs it.

    A function that is not rate limited gets no limiter at all rather than an inert one: the same answers, and
    its cold start does not load the limiter.
    """
    from shared.http.security import install_security

    if rate_limited:
        from shared.ratelimit.middleware import install_rate_limit

        install_rate_limit(app, identify_caller, limiter_factory=function_rate_limiter)
    install_security(app)


def lambda_handler(app: Starlette, *, rate_limited: bool = True, signed_in: bool = False,
                   sdk_services: tuple[str, ...] = ("dynamodb",)) -> Handler:
    """Wrap an app as an instrumented API Gateway HTTP API (payload v2) handler, with its guards.

    The guards (rate limit, CORS, security headers) are added here rather than in create_app, so that unit
    tests of an app stay free of them (and of DynamoDB) unless they install them on purpose. A function
    with `rate_limited=False` keeps no counters, so it needs no write grant on the system table. The SDK's
    models of `sdk_services`, the ones its first request calls, are parsed here, at init (`aws.prepare`), and
    Secrets Manager's with them where the signing keyring lives there: a signed-in first request reads it.
    A function whose every route wants a signed-in caller (`signed_in=True`: the superusers' APIs) loads the
    token verification (the auth package, which the composition root loads only for a request with a token)
    here too rather than on its first request: the same cold start without SnapStart, and a restored one no
    longer pays it.
    """
    if signed_in and handles_data():
        # imported for their cost at init (see the docstring): a guest's cold start loads neither
        import shared.auth.caller
        import shared.composition  # noqa: F401
    install_guards(app, rate_limited=rate_limited)
    install_request_log(app)  # one request log line per request (docs/admin-api.md, Logs)
    aws.prepare(*sdk_services, *(("secretsmanager",) if sdk_services and keyring_in_secrets_manager() else ()))
    asgi = Mangum(app, lifespan="off")

    def handle(event: dict[str, Any], context: Any) -> Any:
        _ensure_event_loop()
        return asgi(event, context)

    return instrument(handle, correlation_id_path="requestContext.requestId")
