"""The HTTP API's routes: which function answers each method and path (API Gateway in CDK, the local gateway)."""

from __future__ import annotations

from shared.resource_defs import RouteDef

# (method, path under /api/collections/{collection}/) of the auth function's routes.
_AUTH_ACTIONS: tuple[tuple[str, str], ...] = (
    ("GET", "auth-methods"),
    ("POST", "auth-with-password"),
    ("POST", "auth-refresh"),
    ("POST", "auth-with-refresh-token"),
    ("POST", "request-verification"),
    ("POST", "confirm-verification"),
    ("POST", "request-password-reset"),
    ("POST", "confirm-password-reset"),
    ("POST", "request-email-change"),
    ("POST", "confirm-email-change"),
    ("POST", "impersonate/{id}"),
    ("POST", "request-otp"),
    ("POST", "auth-with-otp"),
    ("POST", "auth-with-oauth2"),
    ("POST", "password-strength"),
    ("POST", "clear-sign-in-failures"),
    ("GET", "records/{id}/sessions"),
    ("DELETE", "records/{id}/sessions"),
    ("DELETE", "records/{id}/sessions/{session}"),
    ("GET", "records/{id}/api-tokens"),
    ("POST", "records/{id}/api-tokens"),
    ("DELETE", "records/{id}/api-tokens"),
    ("DELETE", "records/{id}/api-tokens/{token}"),
    ("POST", "records/{id}/api-tokens/{token}/rotate"),
    # TOTP second factors (Lambdabase, docs/api-auth.md#totp-lambdabase)
    ("GET", "records/{id}/totp"),
    ("POST", "records/{id}/totp/enroll"),
    ("POST", "records/{id}/totp/confirm"),
    ("POST", "records/{id}/totp/disable"),
    ("DELETE", "records/{id}/totp/devices"),
    ("POST", "auth-with-totp"),
)

ROUTES: tuple[RouteDef, ...] = (
    RouteDef("GET", "/api/health", "health"),
    RouteDef("HEAD", "/api/health", "health"),
    RouteDef("GET", "/api/realtime/websocket", "health"),
    RouteDef("ANY", "/api/collections", "collections"),
    RouteDef("ANY", "/api/collections/{collection}", "collections"),
    RouteDef("GET", "/api/collections/meta/scaffolds", "collections"),
    RouteDef("PUT", "/api/collections/import", "collections"),
    RouteDef("POST", "/api/collections/meta/dry-run-view", "collections"),
    RouteDef("POST", "/api/collections/meta/validate-rule", "collections"),
    RouteDef("DELETE", "/api/collections/{collection}/truncate", "collections"),
    RouteDef("ANY", "/api/collections/{collection}/records", "records"),
    RouteDef("ANY", "/api/collections/{collection}/records/{id}", "records"),
    RouteDef("POST", "/api/batch", "records"),
    # Reading records through a saved view (docs/api-views.md).
    RouteDef("GET", "/api/collections/{collection}/views/{view}/records", "records"),
    # Aggregates, pivots and statistics over a collection's records (docs/api-views.md).
    RouteDef("GET", "/api/collections/{collection}/aggregate", "records"),
    RouteDef("ANY", "/api/backups", "backups"),
    RouteDef("POST", "/api/backups/upload", "backups"),
    RouteDef("ANY", "/api/backups/{key}", "backups"),
    RouteDef("POST", "/api/backups/{key}/restore", "backups"),
    RouteDef("POST", "/api/files/token", "files"),
    RouteDef("GET", "/api/files/{collection}/{id}/{filename}", "files"),
    RouteDef("HEAD", "/api/files/{collection}/{id}/{filename}", "files"),
    # Direct uploads to S3 (docs/api-files.md#direct-uploads): slots, and the parts of multipart ones.
    RouteDef("POST", "/api/files/uploads", "uploads"),
    RouteDef("POST", "/api/files/uploads/parts", "uploads"),
    RouteDef("POST", "/api/files/uploads/complete", "uploads"),
    RouteDef("POST", "/api/files/uploads/abort", "uploads"),
    *(RouteDef(method, f"/api/collections/{{collection}}/{action}", "auth") for method, action in _AUTH_ACTIONS),
    RouteDef("GET", "/api/oauth2-redirect", "oauth2_redirect"),
    RouteDef("POST", "/api/oauth2-redirect", "oauth2_redirect"),
    RouteDef("GET", "/api/crons", "crons"),
    RouteDef("HEAD", "/api/crons", "crons"),
    RouteDef("POST", "/api/crons/{id}", "crons"),
    RouteDef("ANY", "/api/logs", "logs"),
    RouteDef("ANY", "/api/logs/{id}", "logs"),
    RouteDef("GET", "/api/audit", "audit"),
    RouteDef("GET", "/api/audit/{id}", "audit"),
    RouteDef("ANY", "/api/settings", "settings"),
    RouteDef("ANY", "/api/webhooks/{proxy+}", "webhooks"),
    RouteDef("ANY", "/api/forms/{slug}", "forms"),
    RouteDef("GET", "/api/forms/{slug}/submissions", "forms"),
    RouteDef("POST", "/api/settings/test/email", "settings"),
    RouteDef("POST", "/api/settings/test/s3", "settings"),
    # PocketBase's Apple client secret generator lives under settings; it is OAuth2's, so the auth function's.
    RouteDef("POST", "/api/settings/apple/generate-client-secret", "auth"),
    # Unmatched requests reach a function so that they get PocketBase's 404 shape, not API Gateway's.
    RouteDef("ANY", "$default", "health"),
)
