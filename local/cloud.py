"""moto in this process (and on loopback for other processes), and the resources of shared/resources.py on it."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from local import connections_direct, moto_patches
from shared import resources, settings
from shared.aws import client

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"


class _MotoServer(ThreadedMotoServer):
    """moto's threaded server, answering a stop within 50 ms: werkzeug's loop looks for it every 0.5 s by default,
    half a second at the end of every integration test's cloud."""

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        self._server = make_server(self._ip_address, self._port, DomainDispatcherApplication(create_backend_app),
                                   True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=0.05)


@dataclass
class MotoCloud:
    """moto in this process: boto3 clients here reach its backends directly, other processes through `endpoint`."""

    mock: Any
    server: ThreadedMotoServer
    endpoint: str

    def stop(self) -> None:
        self.server.stop()
        self.mock.stop()

    def reset(self) -> None:
        """Forget every resource (moto keeps its state per process)."""
        from moto.core.base_backend import BackendDict

        BackendDict.reset()


def start_moto(host: str = "127.0.0.1") -> MotoCloud:
    """Start moto in-process, plus a server on a free loopback port for other processes (`lambdabase` commands).

    In this process moto's mock intercepts every boto3 call before it leaves botocore, so no request crosses
    HTTP and werkzeug: a GET record costs a few moto calls instead of a few loopback round trips. The server
    shares the same backends, as moto's state is per process.
    """
    from moto import mock_aws

    moto_patches.install()
    # Before any client or SDK session exists: a session takes botocore's handlers as they are when it is made,
    # so one made first (a function's init preparing the SDK) would post to @connections over loopback HTTP.
    connections_direct.install()
    os.environ.pop("AWS_ENDPOINT_URL", None)  # an endpoint would send the calls past the mock, over HTTP
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # botocore sends a stream ARN's calls to an account endpoint ({account}.streams-ddb...), which moto's mock
        # does not route; the regional endpoint is the same API
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    })
    mock = mock_aws()
    mock.start()
    server = _MotoServer(ip_address=host, port=0, verbose=False)
    server.start()
    bound_host, port = server.get_host_and_port()
    client.cache_clear()
    return MotoCloud(mock, server, f"http://{bound_host}:{port}")


def _exists(exc: Exception, *codes: str) -> bool:
    return getattr(exc, "response", {}).get("Error", {}).get("Code") in codes


def create_table(defn: resources.TableDef) -> None:
    """Create one table (keys, GSIs, stream, TTL) exactly as the CDK stack declares it."""
    ddb = client("dynamodb")
    attrs = {defn.partition_key, defn.sort_key}
    for idx in defn.indexes:
        attrs |= {idx.partition_key, idx.sort_key}
    kwargs: dict[str, Any] = {
        "TableName": defn.physical_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)],
        "KeySchema": [
            {"AttributeName": defn.partition_key, "KeyType": "HASH"},
            {"AttributeName": defn.sort_key, "KeyType": "RANGE"},
        ],
    }
    if defn.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": idx.name,
                "KeySchema": [
                    {"AttributeName": idx.partition_key, "KeyType": "HASH"},
                    {"AttributeName": idx.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": idx.projection},
            }
            for idx in defn.indexes
        ]
    if defn.stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    try:
        ddb.create_table(**kwargs)
    except Exception as exc:
        if not _exists(exc, "ResourceInUseException"):
            raise
        return
    if defn.ttl_attribute:
        ddb.update_time_to_live(
            TableName=defn.physical_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": defn.ttl_attribute},
        )


def queue_url(name: str) -> str:
    return str(client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"


def create_queue(defn: resources.QueueDef) -> None:
    """Create a queue and its dead-letter queue with the declared redrive policy."""
    sqs = client("sqs")
    sqs.create_queue(QueueName=defn.dlq_physical_name,
                     Attributes={"MessageRetentionPeriod": str(defn.dlq_retention_days * 86400)})
    redrive = {"deadLetterTargetArn": queue_arn(defn.dlq_physical_name),
               "maxReceiveCount": str(defn.max_receive_count)}
    sqs.create_queue(QueueName=defn.physical_name, Attributes={
        "VisibilityTimeout": str(defn.visibility_timeout_s),
        "RedrivePolicy": json.dumps(redrive),
    })


def create_bus_and_rules() -> None:
    events = client("events")
    for bus in resources.BUSES:
        try:
            events.create_event_bus(Name=bus.physical_name)
        except Exception as exc:
            if not _exists(exc, "ResourceAlreadyExistsException"):
                raise
    for rule in resources.RULES:
        bus_name = next(b.physical_name for b in resources.BUSES if b.key == rule.bus)
        events.put_rule(Name=rule.physical_name, EventBusName=bus_name,
                        EventPattern=json.dumps(rule.event_pattern), State="ENABLED")
        target = resources.queue(rule.target_queue)
        events.put_targets(Rule=rule.physical_name, EventBusName=bus_name,
                           Targets=[{"Id": target.key, "Arn": queue_arn(target.physical_name)}])


def create_secrets(data_dir: Path | None) -> dict[str, str]:
    """Create each secret with a random value kept in the data folder, so tokens survive restarts."""
    store = data_dir / "secrets.json" if data_dir else None
    values: dict[str, str] = json.loads(store.read_text()) if store and store.exists() else {}
    arns: dict[str, str] = {}
    sm = client("secretsmanager")
    for secret in resources.SECRETS:
        value = values.setdefault(secret.key, secrets.token_urlsafe(secret.length))
        name = secret.physical_name
        try:
            arns[secret.key] = sm.create_secret(Name=name, SecretString=value)["ARN"]
        except Exception as exc:
            if not _exists(exc, "ResourceExistsException"):
                raise
            arns[secret.key] = sm.describe_secret(SecretId=name)["ARN"]
    if store:
        from local.snapshot import private_dir

        private_dir(store.parent)  # the data folder holds secrets and snapshots: the owner's alone
        fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(values))
        store.chmod(0o600)
    return arns


def verify_mail_sender() -> None:
    """Verify the sender address in SES, as the operator does once on AWS; moto refuses unverified senders."""
    from shared.mail.settings import MailSettings

    client("ses").verify_email_identity(EmailAddress=MailSettings().mail_sender_address)


def provision(data_dir: Path | None = None) -> None:
    """Create every declared resource on moto and point the functions at the secrets; safe to call again."""
    for table in resources.TABLES:
        create_table(table)
    s3 = client("s3")
    for bucket in resources.BUCKETS:
        s3.create_bucket(Bucket=bucket.physical_name)
    from local.lifecycle import apply_cors

    apply_cors()
    for q in resources.QUEUES:
        create_queue(q)
    sqs = client("sqs")
    for source in resources.EVENT_SOURCES:
        if source.kind == "table_stream":
            sqs.create_queue(QueueName=source.failure_queue_physical_name)
    create_bus_and_rules()
    verify_mail_sender()
    for key, arn in create_secrets(data_dir).items():
        os.environ[settings.env_name("secret_arn", key)] = arn
    from local.kms_keys import create_keys

    for key, arn in create_keys(data_dir, ACCOUNT_ID, REGION).items():
        os.environ[settings.env_name("key", key)] = arn
