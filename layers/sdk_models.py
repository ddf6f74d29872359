"""Trimmed botocore models for the deps layer: only the services the code calls, without documentation.

botocore builds a session's first client from JSON it ships for all of AWS: it lists its ~440 service folders
to learn which services exist, parses `endpoints.json` (1.2 MB, every service in every partition) for the
endpoint resolver, and parses the service's `service-2.json` with every operation's documentation (dynamodb's
is 556 kB, 113 kB without it). On a cold start that is 15 to 25 ms of CPU. The deps layer therefore carries,
next to the botocore it was built with, a folder holding the same files for the services in `SERVICES` only:
documentation removed, `endpoints.json` restricted to those services, everything minified. Every operation and
shape is kept, so a client built from it is the client botocore would build. `shared.aws` reads the folder
instead of botocore's own data when it was written for the botocore version it runs with, and falls back to
botocore's data for a service that is not in it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from shared.aws import SDK_MODELS_DIR, SDK_MODELS_STAMP

# Every service `shared.aws.client` is asked for (a test greps the code for them). Another service still works,
# from botocore's full data, at the full cost.
SERVICES = ("apigatewaymanagementapi", "dynamodb", "dynamodbstreams", "events", "kms", "s3", "secretsmanager",
            "ses", "sqs")
# Read by a session whatever the service: the endpoint resolver's data, the defaults of each configuration
# mode, the legacy retry policy.
_SESSION_FILES = ("endpoints.json", "partitions.json", "sdk-default-configuration.json", "_retry.json")
# Only the generated API reference reads these...
_DOCUMENTATION_KEYS = frozenset({"documentation", "documentationUrl"})
# ...except in these sections, whose entries botocore builds with their `documentation` as a required field
# (S3's client context parameters: without it every S3 call raises KeyError while resolving its endpoint).
_KEPT_WHOLE = frozenset({"clientContextParams"})
_SKIPPED_FILES = ("examples-1.json",)


def _without_documentation(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v if k in _KEPT_WHOLE else _without_documentation(v) for k, v in value.items()
                if k not in _DOCUMENTATION_KEYS}
    if isinstance(value, list):
        return [_without_documentation(v) for v in value]
    return value


def _read_json(path: Path) -> Any:
    """A botocore data file, which botocore ships plain or gzipped."""
    import gzip

    if path.name.endswith(".gz"):
        return json.loads(gzip.decompress(path.read_bytes()))
    return json.loads(path.read_bytes())


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, separators=(",", ":")))


def _plain_name(path: Path) -> str:
    return path.name.removesuffix(".gz")


def latest_version(service_folder: Path) -> Path:
    """The API version botocore picks: the newest folder that has a service model."""
    versions = [v for v in service_folder.iterdir()
                if (v / "service-2.json").exists() or (v / "service-2.json.gz").exists()]
    return max(versions, key=lambda v: v.name)


def endpoint_keys(model: dict[str, Any]) -> set[str]:
    """The names a service goes by in `endpoints.json`: its endpoint prefix (ses is `email`) and signing name."""
    metadata = model["metadata"]
    return {metadata["endpointPrefix"], metadata.get("signingName", metadata["endpointPrefix"])}


def botocore_version(layer_python: Path) -> str:
    """The version of the botocore installed in a layer, read without importing it (it is another platform's)."""
    found = re.search(r"^__version__ = ['\"]([^'\"]+)['\"]", (layer_python / "botocore" / "__init__.py").read_text(),
                      re.MULTILINE)
    if found is None:
        raise ValueError(f"no botocore version in {layer_python / 'botocore'}")
    return found.group(1)


def write_sdk_models(layer_python: Path, services: tuple[str, ...] = SERVICES) -> Path:
    """Write the trimmed models of `services` from `layer_python`/botocore/data into `layer_python`/SDK_MODELS_DIR."""
    source = layer_python / "botocore" / "data"
    target = layer_python / SDK_MODELS_DIR
    if target.exists():
        shutil.rmtree(target)
    keys: set[str] = set()
    for service in services:
        version = latest_version(source / service)
        for file in sorted(version.iterdir()):
            name = _plain_name(file)
            if name in _SKIPPED_FILES or not name.endswith(".json"):
                continue
            data = _read_json(file)
            if name == "service-2.json":
                keys |= endpoint_keys(data)
                data = _without_documentation(data)
            _write_json(target / service / version.name / name, data)
    for name in _SESSION_FILES:
        found = [p for p in (source / name, source / f"{name}.gz") if p.exists()]
        if not found:
            continue
        data = _read_json(found[0])
        if name == "endpoints.json":
            data = {**data, "partitions": [{**p, "services": {k: v for k, v in p["services"].items() if k in keys}}
                                           for p in data["partitions"]]}
        _write_json(target / name, data)
    # Written last: a folder without it (an interrupted build) is never used.
    (target / SDK_MODELS_STAMP).write_text(botocore_version(layer_python) + "\n")
    return target
