"""The local gateway hands a function's binary response (`isBase64Encoded`) to the client byte for byte."""

from __future__ import annotations

import base64
import os
from typing import Any

from starlette.testclient import TestClient

from local.gateway import create_gateway


def test_a_base64_encoded_response_body_arrives_decoded_and_intact() -> None:
    # Given a function answering every byte value, base64-encoded as Mangum sends a binary body
    payload = bytes(range(256)) + os.urandom(4096)

    def function(name: str, event: dict[str, Any], **_: Any) -> Any:
        return {"statusCode": 206, "isBase64Encoded": True, "body": base64.b64encode(payload).decode(),
                "headers": {"content-type": "image/png", "content-range": f"bytes 0-{len(payload) - 1}/9999"}}

    http = TestClient(create_gateway(invoker=function), base_url="http://127.0.0.1:8090")
    # When a file is requested through the gateway
    response = http.get("/api/files/c/r/a.png")
    # Then the client gets the bytes themselves, with the function's status and headers
    assert response.status_code == 206
    assert response.content == payload
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == str(len(payload))
