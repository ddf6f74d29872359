"""S3 buckets from resources.BUCKETS, private and versioned, with server access logs to a log bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge
from infra.naming import STACK_SUFFIX_LENGTH, construct_id, stack_unique_suffix
from shared import resources
from shared.files import keys

ACCESS_LOGS_KEY = "access-logs"
# A direct upload slot lives minutes; a day leaves room for a slow client before its object is swept.
UNATTACHED_UPLOAD_DAYS = 1
_MAX_BUCKET_NAME = 63


def bucket_name(base: str) -> str:
    """`<base>-<stack suffix>`, refused at synth when it could exceed S3's 63 characters."""
    if len(base) + 1 + STACK_SUFFIX_LENGTH > _MAX_BUCKET_NAME:
        raise ValueError(f"bucket name {base!r} plus its {STACK_SUFFIX_LENGTH}-character stack suffix exceeds "
                         f"S3's {_MAX_BUCKET_NAME} characters: use a shorter stage or bucket key")
    return f"{base}-{stack_unique_suffix()}"


class FileStorage(Construct):
    """Every bucket in resources.BUCKETS plus the one bucket that receives their access logs.

    S3 names are global, so `lambdabase-files` alone would collide across accounts: a bucket is named
    `<prefix>-<key>-<stack suffix>` (infra/naming.py). Functions get the real name through LB_<KEY>_BUCKET.
    """

    def __init__(self, scope: Construct, id: str, *, naming: resources.Naming, removal_policy: RemovalPolicy,
                 access_log_days: int = 90) -> None:
        super().__init__(scope, id)
        self.access_logs = s3.Bucket(
            self, "AccessLogs",
            bucket_name=bucket_name(naming.name(ACCESS_LOGS_KEY)),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # Server access logging only delivers to SSE-S3 buckets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(access_log_days))],
            removal_policy=removal_policy,
        )
        acknowledge(self.access_logs, "AwsSolutions-S1",
                    "This is the access-log bucket itself; logging it into itself would log its own log writes.")
        self.buckets: dict[str, s3.Bucket] = {}
        for definition in resources.BUCKETS:
            self.buckets[definition.key] = s3.Bucket(
                self, construct_id(definition.key),
                bucket_name=bucket_name(definition.name_in(naming)),
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                encryption=s3.BucketEncryption.S3_MANAGED,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                versioned=True,
                server_access_logs_bucket=self.access_logs,
                server_access_logs_prefix=f"{definition.key}/",
                lifecycle_rules=[s3.LifecycleRule(
                    # Versioning protects against overwrites and deletes for a month, not forever.
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ), *self._extra_rules(definition)],
                removal_policy=removal_policy,
            )

    @staticmethod
    def _extra_rules(definition: resources.BucketDef) -> list[s3.LifecycleRule]:
        """Declared expiries (BucketDef.expiries), and the files bucket's orphan sweep: direct uploads never attached
        to a record expire with their prefix.

        S3 cannot tell a record's referenced file from an orphan under the same prefix (a post-commit delete
        that failed): those are logged by shared/files/record_files.py; only the `uploads/` staging area expires.
        """
        declared = [s3.LifecycleRule(id=expiry.id, prefix=expiry.prefix, expiration=Duration.days(expiry.days),
                                     abort_incomplete_multipart_upload_after=Duration.days(expiry.abort_multipart_days))
                    for expiry in definition.expiries]
        if definition.key != resources.FILES_BUCKET.key:
            return declared
        return [s3.LifecycleRule(id="unattached-uploads", prefix=keys.UPLOADS_PREFIX,
                                 expiration=Duration.days(UNATTACHED_UPLOAD_DAYS),
                                 abort_incomplete_multipart_upload_after=Duration.days(1))]
