"""The payload store on S3: event bodies over INLINE_BODY_MAX, one object each, kept by the bucket's lifecycle.

Keys are the event id (`<prefix><event id>.json`): a retried batch rewrites the same object with the same
body, so a redelivered envelope always resolves. The bucket (shared/runtime_resources.py, EVENT_PAYLOADS_BUCKET)
expires objects after the webhook retry and replay window.
"""

from __future__ import annotations

from shared import aws, runtime_resources
from shared.events.envelope import PayloadStore
from shared.tools.env_settings import EnvSettings

PAYLOAD_PREFIX = "events/"


class EventPayloadsBucket(EnvSettings):
    """The payload bucket's name: CDK passes it as LB_PAYLOADS_BUCKET, the local stack uses the default."""


    payloads_bucket: str = runtime_resources.EVENT_PAYLOADS_BUCKET.physical_name


class PayloadNotFoundError(LookupError):
    """The reference names no stored body (expired by the lifecycle rule, or never written)."""


class S3PayloadStore(PayloadStore):
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def put(self, key: str, body: bytes) -> str:
        object_key = f"{PAYLOAD_PREFIX}{key}.json"
        aws.client("s3").put_object(Bucket=self.bucket, Key=object_key, Body=body, ContentType="application/json")
        return f"s3://{self.bucket}/{object_key}"

    def get(self, ref: str) -> bytes:
        bucket, _, key = ref.removeprefix("s3://").partition("/")
        s3 = aws.client("s3")
        try:
            body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey as exc:
            raise PayloadNotFoundError(ref) from exc
        return body
