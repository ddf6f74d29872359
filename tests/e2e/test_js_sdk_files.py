"""The official PocketBase JS SDK, unchanged, uploads files on the session stack; the bucket is checked after."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from shared import resources
from shared.files import keys
from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node()
def test_js_sdk_files(stack: StackProcess, tmp_path: Path) -> None:
    # Given the SDK's create and update with files, run by node against the stack
    out = tmp_path / "record.json"
    run_node_suite(stack.url, "files.test.mjs", LB_JS_FILES_OUT=str(out))
    # Then the bucket holds exactly the record's files: the removed one is gone, the refused ones never came
    final = json.loads(out.read_text())
    record, collection_id = final["record"], final["collectionId"]
    s3 = boto3.client("s3", endpoint_url=stack.moto_endpoint(), region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    prefix = keys.record_prefix(collection_id, record["id"])
    listed = s3.list_objects_v2(Bucket=resources.FILES_BUCKET.physical_name, Prefix=f"{collection_id}/")
    assert sorted(o["Key"] for o in listed.get("Contents", [])) == sorted(
        prefix + name for name in [*record["documents"], record["cover"]])


@needs_node()
def test_js_sdk_direct_uploads(stack: StackProcess) -> None:
    # Given the SDK on the stack, When it uploads files over 10 MB straight to S3 (a presigned POST, a multipart
    # upload) and attaches them, Then the node suite downloads each back byte for byte
    run_node_suite(stack.url, "direct_uploads.test.mjs", timeout_s=180)
