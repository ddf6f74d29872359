"""`make deploy`'s last step: upload ui/dist to the dashboard bucket under `_/` and refresh index.html at the edge.

Hashed assets go first with a year's Cache-Control, index.html last with no-cache, so no page ever names an
asset that is not there yet; old assets stay (an open tab may still load them). Then CloudFront forgets its
copy of index.html. Reads the bucket and distribution from the stack outputs `cdk deploy` wrote.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from shared import dashboard

KEY_PREFIX = dashboard.PATH_PREFIX.lstrip("/")


def upload_plan(dist_dir: Path) -> list[tuple[Path, str, str, str]]:
    """(file, key, content type, cache control) for every built file, index.html last."""
    files = sorted(p for p in dist_dir.rglob("*") if p.is_file())
    plan = []
    for path in files:
        rel = path.relative_to(dist_dir).as_posix()
        hashed = rel.startswith(dashboard.ASSETS_DIR + "/")
        cache = dashboard.IMMUTABLE_CACHE if hashed else dashboard.ENTRY_CACHE
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        plan.append((path, KEY_PREFIX + rel, content_type, cache))
    return sorted(plan, key=lambda item: item[1] == KEY_PREFIX + "index.html")


def upload(dist_dir: Path, bucket: str, distribution_id: str | None, s3: Any = None, cloudfront: Any = None) -> int:
    if not (dist_dir / "index.html").is_file():
        raise SystemExit(f"{dist_dir}/index.html is missing: run `make build` first")
    s3 = s3 or boto3.client("s3")
    for path, key, content_type, cache in upload_plan(dist_dir):
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type, CacheControl=cache)
    if distribution_id:
        cloudfront = cloudfront or boto3.client("cloudfront")
        paths = [dashboard.PATH_PREFIX, dashboard.PATH_PREFIX + "index.html"]
        cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": f"lb-ui-{time.time_ns()}"})
    return len(upload_plan(dist_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", default="cdk.out/outputs.json", help="the outputs file of `cdk deploy`")
    parser.add_argument("--dist", default=str(dashboard.DIST_DIR), help="the built dashboard")
    args = parser.parse_args(argv)
    outputs = next(iter(json.loads(Path(args.outputs).read_text()).values()))
    count = upload(Path(args.dist), outputs["DashboardBucket"], outputs.get("DistributionId"))
    print(f"Dashboard: {count} file(s) uploaded; {outputs.get('DashboardUrl', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
