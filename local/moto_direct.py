"""In-process DynamoDB calls handed straight to moto's handler by botocore, not over a fake HTTP exchange.

botocore turns every call into an HTTP request (user agent, endpoint rules, SigV4 signature, retry context),
moto's mock then rebuilds a werkzeug request from it, parses the JSON body back through the service model, and
botocore parses moto's answer shape by shape. In one process none of that reaches a network, and it was about
three quarters of an in-process GetItem's CPU (a list page makes about 10 DynamoDB calls). Two shortcuts:

- DynamoDB's item operations (GetItem, Query, PutItem, UpdateItem, transactions...): botocore still emits its
  parameter events (which fill a transaction's idempotency token) and `after-call` (which capacity meters
  read), and validates the parameters against the operation's shape as before (the same
  ParamValidationError); then, instead of serializing them for moto to parse back, the validated parameters,
  which are what moto's parser makes of that JSON (binary values as bytes), go to moto's handler.
- Every other DynamoDB, DynamoDB Streams and SQS call to the mocked regional endpoint, on botocore's
  `before-call` event (after serialization): moto's handler gets a plain request object instead of a werkzeug
  one (the pollers' idle receives and stream reads, several a second, were a sixth of a busy stack's CPU).

Answers come back as botocore would have parsed them: item operations' results as moto's plain values (their
output is attribute-value maps, the wire shape itself, binary values as bytes as botocore gives them; read
back with `json.loads` on the `before-call` path, as are the change stream's GetRecords answers, whose one
timestamp is then parsed as botocore parses it), every other
answer and every error through botocore's own parser, so `ClientError`s keep their codes, messages and
modeled fields (tests/integration/local/test_moto_direct.py compares both paths).

What is skipped has no counterpart in moto: signing (moto checks no signature in-process), the user agent,
retries (moto never throttles), the CRC32 check of a body that crossed no wire. moto's handler, its locks
(local/moto_patches.py) and the write journal see the same calls as before. A call to any other endpoint (an
`endpoint_url`, another service, another region) takes botocore's ordinary path.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from botocore.utils import parse_timestamp

from local.moto_speed import PARSED_RESULT, PLAIN_JSON_ACTIONS
from local.moto_streams import PLAIN_STREAM_ACTIONS
from shared import concurrent_calls

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
    for record in parsed.get("Records", ()):  # GetRecords: its one timestamp, as botocore's parser makes it
        change = record["dynamodb"]
        if "ApproximateCreationDateTime" in change:
            change["ApproximateCreationDateTime"] = parse_timestamp(change["ApproximateCreationDateTime"])
    return _with_metadata(parsed, status, headers)


def _with_metadata(parsed: dict[str, Any], status: int, headers: Any) -> dict[str, Any]:
    parsed["ResponseMetadata"] = {"RequestId": headers.get("x-amzn-requestid", ""), "HTTPStatusCode": status,
                                  "HTTPHeaders": dict(headers.items()), "RetryAttempts": 0}
    return parsed


def install() -> None:
    """Register the direct path for clients created from now on (moto registers its own stub the same way)."""
    global _installed
    if _installed:
        return
    _installed = True
    # Answered on this CPU now: the calls of one round go one after another (shared/concurrent_calls.py).
    concurrent_calls.answer_in_process()
    from botocore.awsrequest import AWSResponse, HeadersDict
    from botocore.endpoint import convert_to_response_dict
    from botocore.handlers import BUILTIN_HANDLERS
    from botocore.parsers import create_parser
    from moto.core.botocore_stubber import MockRawResponse
    from moto.core.exceptions import HTTPException
    from moto.core.models import botocore_stubber
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.sqs.responses import SQSResponse

    from local.cloud import REGION

    # url -> (moto's handler, the actions whose answers are plain attribute-value JSON)
    routes = {f"https://dynamodb.{REGION}.amazonaws.com/": (DynamoHandler.dispatch, PLAIN_JSON_ACTIONS),
              f"https://streams.dynamodb.{REGION}.amazonaws.com/": (DynamoDBStreamsHandler.dispatch,
                                                                   PLAIN_STREAM_ACTIONS),
              f"https://sqs.{REGION}.amazonaws.com/": (SQSResponse.dispatch, frozenset())}
    parser = create_parser("json")

    def direct(model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if not botocore_stubber.enabled:
            return None
        url = params["url"]
        route = routes.get(url)
        if route is None:
            return None
        dispatch, plain_actions = route
        headers = HeadersDict(params["headers"])
        headers["Host"] = url.split("/")[2]  # as the HTTP request carries it (moto builds queue URLs from it)
        body = params["body"]
        request = _Request(params["method"], url, headers, body if isinstance(body, bytes) else body.encode())
        try:
            status, out_headers, out_body = dispatch(request, url, headers)
        except HTTPException as exc:
            status, out_headers, out_body = exc.code, dict(exc.get_headers()), exc.get_body()
        return answer(model, int(status), out_headers, out_body, url, plain_actions=plain_actions)

    def answer(model: Any, status: int, out_headers: Any, out_body: Any, url: str, *,
               plain_actions: frozenset[str], result: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """moto's answer as botocore's response and parsed result (`result`: already plain values)."""
        text = out_body.decode() if isinstance(out_body, bytes) else str(out_body)
        # a dict, not botocore's email-based HTTPHeaders: AWSResponse copies it into its own HeadersDict anyway,
        # and moto's answer has each header once
        plain_headers = {str(name).lower(): str(value) for name, value in out_headers.items()}
        http = AWSResponse(url, status, plain_headers, MockRawResponse(text))  # type: ignore[arg-type]
        if result is not None:
            return http, _with_metadata(result, status, plain_headers)
        if status < 300 and model.name in plain_actions:
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

    from botocore.client import BaseClient
    from botocore.hooks import first_non_none_response
    from botocore.validate import validate_parameters
    from moto.core import DEFAULT_ACCOUNT_ID


    endpoint = f"https://dynamodb.{REGION}.amazonaws.com"
    target = "DynamoDB_20120810."
    make_api_call = BaseClient._make_api_call  # type: ignore[attr-defined]

    from moto.dynamodb.models import dynamodb_backends

    class OneCallHandler(DynamoHandler):
        """moto's DynamoDB handler with its backend looked up once for the call: moto's `dynamodb_backend`
        looks it up on every use (three times a Query), each under moto's global backend lock and with a scan
        of every service's backend registry."""

        backend: Any = None

        @property
        def dynamodb_backend(self) -> Any:
            return self.backend

    def moto_handler(operation_name: str, params: dict[str, Any]) -> Any:
        """moto's handler as setup_class leaves it for this call (the fields its DynamoDB actions read)."""
        handler = OneCallHandler()
        handler.headers = HeadersDict({"X-Amz-Target": target + operation_name,
                                       "Content-Type": "application/x-amz-json-1.0"})
        handler.querystring = handler.data = {}
        handler.params = params
        handler.body = params
        handler.method, handler.uri, handler.path, handler.raw_path = "POST", endpoint + "/", "/", "/"
        handler.raw_body, handler.uri_match = b"", {}
        handler.region, handler.partition = REGION, "aws"
        handler.response_headers = {"server": "amazon.com"}
        setattr(handler, PARSED_RESULT, None)
        handler.access_key = "local"
        # moto's get_current_account, without its search of every IAM backend for the access key: "local" is
        # never one of moto's generated keys (AKIA...), so it always maps to the default account, and moto's
        # mark_account_as_visited (which only stamps a known key) has nothing to stamp
        handler.current_account = os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID
        # looked up per call, not kept: moto's reset() empties the registry, and a new mock builds new backends
        handler.backend = dynamodb_backends[handler.current_account][REGION]
        return handler

    def item_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        meta = self.meta
        if (operation_name not in PLAIN_JSON_ACTIONS or not botocore_stubber.enabled
                or meta.service_model.service_name != "dynamodb" or meta.endpoint_url != endpoint):
            return make_api_call(self, operation_name, api_params)
        model = meta.service_model.operation_model(operation_name)
        context: dict[str, Any] = {"client_region": meta.region_name, "client_config": meta.config}
        responses = meta.events.emit(f"provide-client-params.dynamodb.{operation_name}", params=api_params,
                                     model=model, context=context)
        api_params = first_non_none_response(responses, default=api_params)
        meta.events.emit(f"before-parameter-build.dynamodb.{operation_name}", params=api_params, model=model,
                         context=context)
        if meta.config.parameter_validation:
            validate_parameters(api_params, model.input_shape)
        handler = moto_handler(operation_name, api_params)
        try:
            status, out_headers, out_body = handler.call_action()
        except HTTPException as exc:
            status, out_headers, out_body = exc.code, dict(exc.get_headers()), exc.get_body()
        result = getattr(handler, PARSED_RESULT)
        http, parsed = answer(model, int(status), out_headers, out_body, endpoint + "/",
                              plain_actions=PLAIN_JSON_ACTIONS, result=result if int(status) < 300 else None)
        meta.events.emit(f"after-call.dynamodb.{operation_name}", http_response=http, parsed=parsed, model=model,
                         context=context)
        if http.status_code >= 300:
            raise self.exceptions.from_code(parsed.get("Error", {}).get("Code"))(parsed, operation_name)
        return parsed

    BaseClient._make_api_call = item_call  # type: ignore[attr-defined]
    BUILTIN_HANDLERS.append(("before-call.dynamodb", direct))
    BUILTIN_HANDLERS.append(("before-call.dynamodb-streams", direct))
    BUILTIN_HANDLERS.append(("before-call.sqs", direct))
