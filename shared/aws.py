"""Lazily created, cached AWS clients: none exists until first use; `prepare` parses their models ahead of it.

Nothing is imported from the SDK until a client is asked for or `prepare` runs (a handler's init), and all
clients come from one botocore session, so its configuration, credentials resolver and model loaders are built
once, not once per client. On Lambda
that session reads the trimmed models the deps layer ships (`layers/sdk_models.py`) rather than botocore's data
for all of AWS, when they were written for the botocore it runs with; a service they lack comes from a second
session over botocore's own data.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

# (service, endpoint_url) -> client; replaced only by `clients_from`, for fakes in benchmarks and tests.
ClientFactory = Callable[[str, "str | None"], Any]

# Sessions are not thread-safe, clients are: creation is serialized, use is not.
_lock = threading.RLock()  # reentrant: a factory may wrap `sdk_client`
_factory: ClientFactory | None = None

# The folder of trimmed models in the deps layer (on sys.path, /opt/python on Lambda), and the file in it that
# names the botocore version they were written from.
SDK_MODELS_DIR = "lambdabase_sdk_models"
SDK_MODELS_STAMP = "botocore-version"


def shipped_models() -> str | None:
    """The trimmed models' folder, if one on sys.path was written for the botocore this process imports."""
    import botocore

    for entry in sys.path:
        folder = os.path.join(entry or os.curdir, SDK_MODELS_DIR)
        try:
            with open(os.path.join(folder, SDK_MODELS_STAMP)) as stamp:
                version = stamp.read().strip()
        except OSError:
            continue
        # Models of another version could lack an operation or a shape this botocore expects.
        return folder if version == botocore.__version__ else None
    return None


@cache
def _sdk(trimmed: bool) -> Any | None:
    """The botocore session over the shipped models only (None where none are shipped: tests, the local stack),
    or the one over botocore's data for all of AWS.

    Clients come from botocore itself, not from a boto3 session: importing boto3 imports its resources, docs and
    s3transfer (with multiprocessing), about a tenth of a function's cold start, for what no client here uses.
    The one boto3 addition used, S3's managed upload, is called as a function (`upload_fileobj`)."""
    models = shipped_models() if trimmed else None
    if trimmed and models is None:
        return None
    from shared import sdk_docs

    sdk_docs.defer()  # botocore's documentation modules load when a docstring is read, not with the session
    from botocore.session import get_session

    core = get_session()
    core.register_component("data_loader", _data_loader(models, core.get_config_variable("data_path")))
    return core


# Model loaders by folder (the shipped models', or botocore's own data plus AWS_DATA_PATH), each caching the files
# it parsed. The files never change while a process runs, so a loader outlives the sessions: a session rebuilt
# when caches are dropped (a new cloud in the tests) parses no model file again (the first DynamoDB client's
# are about 50 ms of JSON).
_loaders: dict[tuple[str | None, str | None], Any] = {}


def _data_loader(models: str | None, data_path: str | None) -> Any:
    with _lock:
        key = (models, None if models else data_path)
        if key not in _loaders:
            from botocore.loaders import Loader, create_loader

            _loaders[key] = (create_loader(data_path) if models is None
                             else Loader(extra_search_paths=[models], include_default_search_paths=False))
        return _loaders[key]


def _sdk_for(service: str) -> Any:
    trimmed = _sdk(True)
    if trimmed is not None and service in trimmed.get_available_services():
        return trimmed
    full = _sdk(False)
    assert full is not None
    return full


def prepare(*services: str) -> None:
    """Import the SDK and parse what the first client of each service reads (its models, the endpoint data),
    ahead of that client: at init, which Lambda runs at full CPU and SnapStart snapshots. No client is built and
    no credentials are resolved, so nothing is captured that a restored snapshot could find stale."""
    with _lock:
        for service in services:
            loader = _sdk_for(service).get_component("data_loader")
            # The very calls (and arguments, the loader's cache key) a client makes.
            loader.load_service_model(service, "service-2", api_version=None)
            loader.load_service_model(service, "endpoint-rule-set-1", api_version=None)
            for name in ("endpoints", "partitions", "sdk-default-configuration"):
                loader.load_data(name)


def _sdk_client(service: str, endpoint_url: str | None) -> Any:
    from botocore.config import Config

    # S3: SigV4 for presigned URLs too (botocore presigns with SigV2 unless told; S3 refuses SigV2 for buckets
    # created since June 2020 and in newer regions). Pooled connections per client: botocore's default of 10
    # would make the realtime fan-out's 32 posting threads open (and discard) a new TLS connection per post
    # beyond the tenth.
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15,
                    signature_version="s3v4" if service == "s3" else None, max_pool_connections=64)
    return _sdk_for(service).create_client(service, config=config, endpoint_url=endpoint_url)


@cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    """Return a cached client; AWS_ENDPOINT_URL points every client at moto on the local stack."""
    with _lock:
        return (_factory or _sdk_client)(service, endpoint_url)


def upload_fileobj(s3: Any, body: Any, bucket: str, key: str) -> None:
    """boto3's managed upload (multipart past 8 MB, parts in parallel) of a stream, on a botocore S3 client."""
    from boto3.s3.inject import upload_fileobj as managed_upload

    managed_upload(s3, body, bucket, key)


def queue_url(queue: str) -> str:
    """The URL of a queue named by URL (CDK passes URLs) or by name (the local stack uses names)."""
    if "://" in queue:
        return queue
    return str(client("sqs").get_queue_url(QueueName=queue)["QueueUrl"])


@contextmanager
def clients_from(factory: ClientFactory) -> Iterator[None]:
    """Serve every client created inside the block from `factory` (e.g. a fake DynamoDB for a benchmark)."""
    global _factory
    saved, _factory = _factory, factory
    client.cache_clear()
    try:
        yield
    finally:
        _factory = saved
        client.cache_clear()


def sdk_client(service: str, endpoint_url: str | None = None) -> Any:
    """A new client from the SDK itself, whatever `clients_from` serves (what a fake wraps)."""
    with _lock:
        return _sdk_client(service, endpoint_url)
