"""In-process DynamoDB calls handed to moto's handler straight after botocore has built them, not over fake HTTP.

botocore turns every call into an HTTP request (user agent, endpoint rules, SigV4 signature, retry context),
moto's mock then rebuilds a werkzeug request from it, and botocore parses moto's answer shape by shape. In one
process none of that reaches a network: an in-process GetItem spent about three quarters of its CPU there, and
a list page makes about 17 DynamoDB calls. So, on the `before-call` event (after botocore has validated and
serialized the parameters, as it does on Lambda), a DynamoDB or DynamoDB Streams call to the mocked regional
endpoint goes to moto's handler with a plain request object, and the answer comes back as botocore would have
parsed it: item operations' JSON read with `json.loads` (their output is attribute-value maps, the wire shape
itself, binary values decoded as botocore does), every other answer and every error through botocore's own
parser, so `ClientError`s keep their codes and messages.

What is skipped has no counterpart in moto: signing (moto checks no signature in-process), the user agent,
retries (moto never throttles), the CRC32 check of a body that crossed no wire. moto's handler, its locks
(local/moto_patches.py) and the write journal see the same calls as before. A call to any other endpoint (an
`endpoint_url`, another service) takes botocore's ordinary path.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from local.moto_speed import PLAIN_JSON_ACTIONS

_installed = False


class _Request:
    """What moto's BaseResponse.setup_class and parse_parameters read of a request, without werkzeug's
    environ building (the same fields moto's normalized request gives for a JSON-protocol POST)."""

    from_wsgi_server = False
    content_encoding = None
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    values: dict[str, Any] = {}

    def __init__(self, method: str, url: str, headers: Any, body: bytes) -> None:
        self.method = method
        self.raw_url = url
        self.headers = headers
        self.data = body
        self.environ: dict[str, Any] = {}
        path = url.split("://", 1)[-1]
        self.path = self.raw_path = "/" + path.split("/", 1)[1].split("?", 1)[0] if "/" in path else "/"
        self.content_type = headers.get("Content-Type", "")


def _decode_binary(value: Any) -> Any:
    """Attribute values' B and BS from base64 to bytes, as botocore's parser does for blob shapes."""
    if isinstance(value, list):
        return [_decode_binary(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, inner in value.items():
        if key == "B" and isinstance(inner, str):
            out[key] = base64.b64decode(inner)
        elif key == "BS" and isinstance(inner, list) and all(isinstance(v, str) for v in inner):
            out[key] = [base64.b64decode(v) for v in inner]
        else:
            out[key] = _decode_binary(inner)
    return out


def _plain_parse(status: int, headers: Any, body: str) -> dict[str, Any]:
    parsed = json.loads(body) if body else {}
    if '"B": ' in body or '"BS": ' in body:
        parsed = _decode_binary(parsed)
    parsed["ResponseMetadata"] = {"RequestId": headers.get("x-amzn-requestid", ""), "HTTPStatusCode": status,
                                  "HTTPHeaders": dict(headers.items()), "RetryAttempts": 0}
    return parsed


def install() -> None:
    """Register the direct path for clients created from now on (moto registers its own stub the same way)."""
    global _installed
    if _installed:
        return
    _installed = True
    from botocore.awsrequest import AWSResponse, HeadersDict
    from botocore.compat import HTTPHeaders
    from botocore.endpoint import convert_to_response_dict
    from botocore.handlers import BUILTIN_HANDLERS
    from botocore.parsers import create_parser
    from moto.core.botocore_stubber import MockRawResponse
    from moto.core.exceptions import HTTPException
    from moto.core.models import botocore_stubber
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    from local.cloud import REGION

    # url -> (moto's handler, whether its item operations' answers are plain attribute-value JSON)
    routes = {f"https://dynamodb.{REGION}.amazonaws.com/": (DynamoHandler.dispatch, True),
              f"https://streams.dynamodb.{REGION}.amazonaws.com/": (DynamoDBStreamsHandler.dispatch, False)}
    parser = create_parser("json")

    def direct(model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if not botocore_stubber.enabled:
            return None
        url = params["url"]
        route = routes.get(url)
        if route is None:
            return None
        dispatch, plain_items = route
        headers = HeadersDict(params["headers"])
        body = params["body"]
        request = _Request(params["method"], url, headers, body if isinstance(body, bytes) else body.encode())
        try:
            status, out_headers, out_body = dispatch(request, url, headers)
        except HTTPException as exc:
            status, out_headers, out_body = exc.code, dict(exc.get_headers()), exc.get_body()
        status = int(status)
        text = out_body.decode() if isinstance(out_body, bytes) else str(out_body)
        plain_headers = HTTPHeaders()
        for name, value in out_headers.items():
            plain_headers[str(name).lower()] = str(value)
        http = AWSResponse(url, status, plain_headers, MockRawResponse(text))
        if status < 300 and plain_items and model.name in PLAIN_JSON_ACTIONS:
            return http, _plain_parse(status, plain_headers, text)
        response = convert_to_response_dict(http, model)
        parsed = parser.parse(response, model.output_shape)
        # botocore's second pass for an error's modeled fields (a cancelled transaction's CancellationReasons)
        error_shape = model.service_model.shape_for_error_code(parsed.get("Error", {}).get("Code")) \
            if status >= 300 else None
        if error_shape is not None:
            parsed.update(parser.parse(response, error_shape))
        parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
        return http, parsed

    BUILTIN_HANDLERS.append(("before-call.dynamodb", direct))
    BUILTIN_HANDLERS.append(("before-call.dynamodb-streams", direct))
