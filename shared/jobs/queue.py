"""Where jobs are sent: the SQS jobs queue, or an in-memory one for tests and in-process runs."""

from abc import ABC, abstractmethod
from functools import cache

import msgspec
from pydantic import BaseModel, Field

from shared import runtime_resources, settings
from shared.aws import client, queue_url
from shared.catalog.repository import CACHE_SECONDS

# SQS refuses longer delays.
MAX_DELAY_S = 900
# A backfill starts only once no writer can still hold the layout from before the index was added: writers
# cache the catalog for CACHE_SECONDS, and no request outlives its function's timeout (a bulk import is one
# request). Records written earlier than that are the backfill's; later ones carry the new keys themselves.
DEFAULT_SETTLE_S = int(CACHE_SECONDS) + runtime_resources.HTTP_FUNCTION_TIMEOUT_S + 1


class JobSettings(settings.Observability, settings.Tables):
    """The jobs queue (CDK passes its URL as LB_JOBS_QUEUE; locally its name is looked up) and the settle time."""

    jobs_queue: str = runtime_resources.JOBS_QUEUE.physical_name
    jobs_settle_s: int = Field(DEFAULT_SETTLE_S, ge=0, le=MAX_DELAY_S)


class JobQueue(ABC):
    """Sends job messages; a message may be delayed, and may be delivered more than once."""

    @abstractmethod
    def send(self, message: BaseModel, *, delay_s: int = 0) -> None: ...


class SqsJobQueue(JobQueue):
    def __init__(self, queue: str) -> None:
        self.queue = queue

    @property
    def url(self) -> str:
        return queue_url(self.queue)

    def send(self, message: BaseModel, *, delay_s: int = 0) -> None:
        client("sqs").send_message(QueueUrl=self.url, MessageBody=message.model_dump_json(),
                                   DelaySeconds=max(0, min(MAX_DELAY_S, delay_s)))


class Sent(msgspec.Struct):
    message: BaseModel
    delay_s: int


class InMemoryJobQueue(JobQueue):
    """Keeps what was sent, in order; tests take messages and hand them to the runner."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []

    def send(self, message: BaseModel, *, delay_s: int = 0) -> None:
        self.sent.append(Sent(message, delay_s))

    def take(self) -> BaseModel | None:
        return self.sent.pop(0).message if self.sent else None


@cache
def get_job_queue() -> SqsJobQueue:
    """The jobs queue of this deployment, from settings read once per cold start."""
    return SqsJobQueue(settings.load(JobSettings).jobs_queue)


def settle_seconds() -> int:
    return settings.load(JobSettings).jobs_settle_s
