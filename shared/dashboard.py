"""The admin dashboard's serving policy (docs/ui.md): its path, CSP and cache headers, one definition read by the
local gateway (local/dashboard.py) and the CloudFront construct (infra/constructs/dashboard.py)."""

from __future__ import annotations

from pathlib import Path

# PocketBase serves its admin UI at /_/; so does Lambdabase, locally and behind CloudFront.
PATH_PREFIX = "/_/"
# Where `make build` (vite) writes the built app.
DIST_DIR = Path(__file__).resolve().parents[1] / "ui" / "dist"
# Vite writes content-hashed names under assets/: they never change, so they are cached for a year.
ASSETS_DIR = "assets"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
# index.html names the current hashes: always revalidated, so a deployment is seen at the next load.
ENTRY_CACHE = "no-cache"

# No inline script, no eval, nothing framed; scripts, styles and API calls only from the dashboard's own origin
# (the API shares it). Images may also be data:/blob: URIs (TOTP QR codes, local previews of files to upload);
# images and uploads also reach the files' storage origins (file downloads redirect there, direct uploads POST
# there).
CSP_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data: blob:"),
    ("connect-src", "'self'"),
    ("font-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)


_STORAGE_DIRECTIVES = ("img-src", "connect-src")


def content_security_policy(files_origins: tuple[str, ...] = ()) -> str:
    """The CSP header value; `files_origins` (the S3 endpoints presigned file URLs point at) join img-src and
    connect-src."""
    parts = []
    for name, value in CSP_DIRECTIVES:
        if name in _STORAGE_DIRECTIVES and files_origins:
            value = " ".join((value, *files_origins))
        parts.append(f"{name} {value}")
    return "; ".join(parts)


# Sent with every dashboard answer, locally and by CloudFront's response headers policy.
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
