"""POST /api/settings/test/s3: write and delete a test object in the configured storage or backups bucket."""

from __future__ import annotations

import secrets
from typing import Any

from shared.app_settings.model import AppSettings, S3Settings
from shared.app_settings.validation import fields, one_of, required
from shared.errors import BadRequestError

FAILED = "Failed to test the S3 filesystem."


def _client(s3: S3Settings) -> Any:
    # Not shared/aws.client: this one talks to the bucket the settings name, with their own keys and endpoint.
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", region_name=s3.region or None, endpoint_url=s3.endpoint or None,
        aws_access_key_id=s3.access_key or None, aws_secret_access_key=s3.secret or None,
        config=Config(s3={"addressing_style": "path" if s3.force_path_style else "auto"},
                      retries={"max_attempts": 2}, connect_timeout=5, read_timeout=10),
    )


def check_s3(settings: AppSettings, body: dict[str, Any]) -> None:
    """PocketBase's check: upload `pb_settings_test_<random>/test.txt`, then delete that prefix."""
    form = {"filesystem": body.get("filesystem", "")}
    if not isinstance(form["filesystem"], str):
        raise BadRequestError("An error occurred while loading the submitted data.")
    problems = fields(form, {"filesystem": (required, one_of("storage", "backups"))})
    if problems:
        raise BadRequestError(FAILED, problems)
    s3 = settings.backups.s3 if form["filesystem"] == "backups" else settings.s3
    if not s3.enabled:
        raise BadRequestError(f"{FAILED} Raw error: \nS3 storage filesystem is not enabled.")
    key = f"pb_settings_test_{secrets.token_hex(3)[:5]}/test.txt"
    step = "upload"
    try:
        client = _client(s3)
        client.put_object(Bucket=s3.bucket, Key=key, Body=b"test")
        step = "delete"
        client.delete_object(Bucket=s3.bucket, Key=key)
    except Exception as exc:  # any client, network or credentials failure is the operator's to read
        action = "upload a test file" if step == "upload" else "delete a test file"
        raise BadRequestError(f"{FAILED} Raw error: \nfailed to {action}: {exc}.") from exc
