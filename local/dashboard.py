"""The local gateway's static server for the admin dashboard at /_/ (ui/dist), with the CSP CloudFront sends."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from shared import dashboard

_NOT_BUILT = (
    "<!doctype html><meta charset=utf-8><title>Lambdabase</title>"
    "<p>The dashboard is not built. Run <code>make build</code> (or <code>make run</code>, which builds it).</p>"
)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _headers(cache: str) -> dict[str, str]:
    # Presigned file URLs point at moto's S3 (the stack sets it at start, after the gateway exists): read per answer.
    endpoint = os.environ.get("LB_S3_PUBLIC_ENDPOINT")
    files_origin = _origin(endpoint) if endpoint else None
    return {"Content-Security-Policy": dashboard.content_security_policy((files_origin,) if files_origin else ()),
            "Cache-Control": cache,
            **dashboard.SECURITY_HEADERS}


def dashboard_routes(dist_dir: Path = dashboard.DIST_DIR) -> list[BaseRoute]:
    """`/_` redirects to `/_/`; built files are served as they are (hashed assets cached for a year); any other
    path under /_/ is the single-page app's index.html, as CloudFront answers it."""
    root = dist_dir.resolve()

    def entry() -> Response:
        index = root / "index.html"
        if not index.is_file():
            return Response(_NOT_BUILT, status_code=503, media_type="text/html",
                            headers=_headers(dashboard.ENTRY_CACHE))
        return FileResponse(index, media_type="text/html", headers=_headers(dashboard.ENTRY_CACHE))

    async def serve(request: Request) -> Response:
        rel = request.path_params.get("path", "")
        target = (root / rel).resolve()
        inside = target == root or root in target.parents
        if rel and inside and target.is_file():
            cache = dashboard.IMMUTABLE_CACHE if rel.startswith(dashboard.ASSETS_DIR + "/") else dashboard.ENTRY_CACHE
            media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return FileResponse(target, media_type=media_type, headers=_headers(cache))
        if rel.startswith(dashboard.ASSETS_DIR + "/"):
            # A missing hashed file is a stale page asking for an old build: a 404, never index.html as script.
            return Response("Not found", status_code=404, media_type="text/plain",
                            headers=_headers(dashboard.ENTRY_CACHE))
        return entry()

    async def redirect(_: Request) -> Response:
        return RedirectResponse(dashboard.PATH_PREFIX, status_code=301)

    return [
        Route("/_", redirect, methods=["GET", "HEAD"]),
        Route(dashboard.PATH_PREFIX + "{path:path}", serve, methods=["GET", "HEAD"]),
    ]
