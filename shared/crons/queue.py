"""Where run-now requests go: the crons queue (SQS), or a list in memory for tests."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache

from shared import runtime_resources, settings
from shared.aws import client, queue_url


class CronQueueSettings(settings.Observability, settings.Tables):
    """The crons queue: CDK passes its URL as LB_CRONS_QUEUE; locally its name is looked up."""

    crons_queue: str = runtime_resources.CRONS_QUEUE.physical_name


class CronQueue(ABC):
    @abstractmethod
    def send(self, body: str) -> None:
        """Queue one message for the scheduler function."""


class SqsCronQueue(CronQueue):
    def __init__(self, queue: str) -> None:
        self.queue = queue

    @property
    def url(self) -> str:
        return queue_url(self.queue)

    def send(self, body: str) -> None:
        client("sqs").send_message(QueueUrl=self.url, MessageBody=body)


class InMemoryCronQueue(CronQueue):
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, body: str) -> None:
        self.sent.append(body)


@cache
def get_cron_queue() -> CronQueue:
    """The crons queue of this deployment, from settings read once per cold start."""
    return SqsCronQueue(settings.load(CronQueueSettings).crons_queue)
