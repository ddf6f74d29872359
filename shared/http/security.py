"""HTTP hardening for every function: security headers on all responses, CSP on HTML, and CORS."""

import json
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.tools.env_settings import EnvSettings

DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Headers the PocketBase JS SDK and browsers need to read from cross-origin responses.
EXPOSED_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")


class SecuritySettings(EnvSettings):
    """LB_CORS_ORIGINS is "*" (default), a comma-separated list, or a JSON list of origins (`[]`: none).

    On AWS, CDK sets it from lb:corsOrigins, the same list the HTTP API's own CORS answers preflights with.
    """


    cors_origins: str = "*"
    cors_max_age_s: int = 86_400
    frame_options: str = "DENY"
    hsts: str = "max-age=31536000; includeSubDomains"
    content_security_policy: str = DEFAULT_CSP

    @property
    def cors_origin_list(self) -> list[str]:
        raw = self.cors_origins.strip()
        if raw.startswith("["):
            return [str(o).strip() for o in json.loads(raw) if str(o).strip()]
        return [o.strip() for o in raw.split(",") if o.strip()] or ["*"]


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response unless the endpoint set them itself."""

    def __init__(self, app: ASGIApp, settings: SecuritySettings) -> None:
        self.app = app
        self._common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", settings.frame_options.encode()),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"strict-transport-security", settings.hsts.encode()),
        ]
        self._csp = settings.content_security_policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [(n, v) for n, v in self._common if n not in present]
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                # Only HTML is rendered by a browser, so only HTML needs a CSP; JSON stays lean.
                if content_type.startswith(b"text/html") and b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", self._csp))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: Any, settings: SecuritySettings | None = None) -> None:
    """Add CORS and the security headers to a Starlette app (headers outermost, then CORS)."""
    settings = settings or SecuritySettings()
    origins = settings.cors_origin_list
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        # The SDK sends tokens in the Authorization header, never cookies: no credentialed CORS needed,
        # and "*" with credentials would be refused by browsers anyway.
        allow_credentials=False,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=list(EXPOSED_HEADERS),
        max_age=settings.cors_max_age_s,
    )
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
