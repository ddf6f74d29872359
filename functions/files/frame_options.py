"""Served files carry no X-Frame-Options, as PocketBase 0.40.6's: a PDF or a video may be shown in a frame.

The security middleware puts `X-Frame-Options` on every response; PocketBase sends `SAMEORIGIN` on its JSON
answers but none on a served file (200, 206, 304, 416, HEAD alike; checked against the binary). This outermost
middleware takes it off those responses again, and leaves every error in the JSON shape (404s) as it is.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_FILE_PATH_PARTS = 6  # "", "api", "files", collection, record, filename
_SERVED = frozenset((200, 206, 302, 304, 416))


def _is_file_download(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return (scope.get("method") in ("GET", "HEAD") and path.startswith("/api/files/")
            and len(path.split("/")) == _FILE_PATH_PARTS)


class ServedFileFrameOptions:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_file_download(scope):
            await self.app(scope, receive, send)
            return

        async def send_without(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") in _SERVED:
                message = {**message, "headers": [(n, v) for n, v in message.get("headers", [])
                                                  if n.lower() != b"x-frame-options"]}
            await send(message)

        await self.app(scope, receive, send_without)
