"""The official PocketBase JS SDK, unchanged, downloads record files, thumbs and protected files from the stack."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from shared import aws
from shared.files import keys
from tests.support.files_world import attach, files_storage, image
from tests.support.node_suite import needs_node, run_node_suite
from tests.support.records_api import USER_PASSWORD, Api, unique
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

# Over the 4 MiB direct-delivery threshold: served by a redirect to a presigned S3 URL (moto on loopback).
LARGE = 5 << 20


@contextmanager
def stack_clients(stack: StackProcess) -> Iterator[None]:
    """AWS clients of this test process pointed at the stack's moto server."""
    moto = stack.moto_endpoint()

    def moto_client(service: str, _: str | None) -> Any:
        return boto3.client(service, endpoint_url=moto, region_name="us-east-1", aws_access_key_id="local",
                            aws_secret_access_key="local")

    with aws.clients_from(moto_client):
        yield


def world(api: Api, stack: StackProcess) -> dict[str, Any]:
    """A record owned by "owner": a png, a large file and a protected png, in the bucket and in its value."""
    owner = api.sign_up_user("owner")
    name = unique("js_files")
    api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "owner = @request.auth.id",
                           "fields": [{"name": "owner", "type": "text"},
                                      {"name": "pub", "type": "file", "maxSelect": 5, "thumbs": ["50x30", "0x20"]},
                                      {"name": "priv", "type": "file", "maxSelect": 1, "protected": True}]})
    record = api.create_record(name, {"owner": owner["id"]})
    png, large, secret = image("PNG", 200, 100), os.urandom(LARGE), image("PNG", 64, 48)
    with stack_clients(stack):
        collection_id = attach(name, record["id"], "pub", {"a.png": (png, "image/png"),
                                                           "big.bin": (large, "application/octet-stream")})
        attach(name, record["id"], "priv", {"s.png": (secret, "image/png")})
    return {"collection": name, "collectionId": collection_id, "id": record["id"],
            "ownerEmail": owner["email"], "ownerPassword": USER_PASSWORD,
            "sha256": {"a.png": hashlib.sha256(png).hexdigest(), "big.bin": hashlib.sha256(large).hexdigest(),
                       "s.png": hashlib.sha256(secret).hexdigest()}}


@needs_node()
def test_js_sdk_files_serving(api: Api, stack: StackProcess) -> None:
    files = world(api, stack)
    try:
        run_node_suite(stack.url, "files_serving.test.mjs", LB_FILES_WORLD=json.dumps(files))
    finally:
        # The session's stack is shared: the large file would weigh on every later backup of the bucket.
        with stack_clients(stack):
            files_storage().delete_prefix(keys.record_prefix(files["collectionId"], files["id"]))
