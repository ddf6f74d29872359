"""The files bucket's lifecycle: unattached direct uploads expire; record files are never expired by age."""

from __future__ import annotations

from shared import resources
from shared.files import keys
from tests.infra.synthesis import Synthesized


def _files_bucket_rules(synth: Synthesized) -> list[dict[str, object]]:
    buckets = synth.resources("AWS::S3::Bucket")
    files = [b for b in buckets.values()
             if resources.FILES_BUCKET.key in str(b["Properties"].get("LoggingConfiguration", {}))]
    assert len(files) == 1
    return list(files[0]["Properties"]["LifecycleConfiguration"]["Rules"])


def test_only_the_uploads_prefix_expires_by_age(synth: Synthesized) -> None:
    # Given the synthesized files bucket
    rules = _files_bucket_rules(synth)
    # Then exactly one rule expires current objects, and it is scoped to the uploads staging prefix
    expiring = [r for r in rules if "ExpirationInDays" in r]
    assert [(r["Prefix"], r["ExpirationInDays"]) for r in expiring] == [(keys.UPLOADS_PREFIX, 1)]
    assert all(r["Status"] == "Enabled" for r in rules)


def _files_bucket(synth: Synthesized) -> dict[str, object]:
    (files,) = [b for b in synth.resources("AWS::S3::Bucket").values()
                if resources.FILES_BUCKET.key in str(b["Properties"].get("LoggingConfiguration", {}))]
    return dict(files["Properties"])


def test_the_uploads_rule_is_the_one_declared_in_resources(synth: Synthesized) -> None:
    # Given the expiry declared once in shared/resources.py, Then CDK deploys exactly it
    (rule,) = [r for r in _files_bucket_rules(synth) if r.get("Id") == resources.UNATTACHED_UPLOADS.id]
    assert rule["Prefix"] == resources.UNATTACHED_UPLOADS.prefix
    assert rule["ExpirationInDays"] == resources.UNATTACHED_UPLOADS.days
    assert rule["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": resources.UNATTACHED_UPLOADS.abort_multipart_days}


def test_browsers_may_post_and_put_direct_uploads_from_the_api_origins(synth: Synthesized) -> None:
    # Given the synthesized files bucket, Then its CORS allows POST and PUT from the deployment's origins (the
    # same list as the HTTP API's) and exposes the ETag a multipart client reads, and no other bucket has CORS
    cors = _files_bucket(synth)["CorsConfiguration"]
    (rule,) = cors["CorsRules"]  # type: ignore[index]
    assert sorted(rule["AllowedMethods"]) == ["POST", "PUT"] and rule["AllowedOrigins"] == ["*"]
    assert rule["ExposedHeaders"] == ["ETag"]
    others = [b for b in synth.resources("AWS::S3::Bucket").values()
              if "CorsConfiguration" in b["Properties"]]
    assert len(others) == 1
