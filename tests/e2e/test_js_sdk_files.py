"""The official PocketBase JS SDK, unchanged, uploads files on the session stack; the bucket is checked after."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from shared import resources
from shared.files import keys
from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.support.stack_process import ROOT, StackProcess

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "pocketbase").exists(),
                    reason="needs Node 20 and `npm ci` (node_modules/pocketbase)")
def test_js_sdk_files(stack: StackProcess, tmp_path: Path) -> None:
    # Given the SDK's create and update with files, run by node against the stack
    out = tmp_path / "record.json"
    env = {**os.environ, "LB_URL": stack.url, "LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
           "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD, "LB_JS_FILES_OUT": str(out)}
    result = subprocess.run(["node", "--test", "tests/js/files.test.mjs"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
    # Then the bucket holds exactly the record's files: the removed one is gone, the refused ones never came
    final = json.loads(out.read_text())
    record, collection_id = final["record"], final["collectionId"]
    s3 = boto3.client("s3", endpoint_url=stack.moto_endpoint(), region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    prefix = keys.record_prefix(collection_id, record["id"])
    listed = s3.list_objects_v2(Bucket=resources.FILES_BUCKET.physical_name, Prefix=f"{collection_id}/")
    assert sorted(o["Key"] for o in listed.get("Contents", [])) == sorted(
        prefix + name for name in [*record["documents"], record["cover"]])


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "pocketbase").exists(),
                    reason="needs Node 20 and `npm ci` (node_modules/pocketbase)")
def test_js_sdk_direct_uploads(stack: StackProcess) -> None:
    # Given the SDK on the stack, When it uploads files over 10 MB straight to S3 (a presigned POST, a multipart
    # upload) and attaches them, Then the node suite downloads each back byte for byte
    env = {**os.environ, "LB_URL": stack.url, "LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
           "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD}
    result = subprocess.run(["node", "--test", "tests/js/direct_uploads.test.mjs"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
