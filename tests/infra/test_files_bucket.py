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
