"""Mail senders: the interface, SES (the only real one, on AWS and on moto), and an in-memory fake.

Every message sent through `send_mail` is logged: kind, masked recipients, subject and the SES MessageId.
The body is logged only when LB_MAIL_LOG_BODY is set (the local stack), because it holds live tokens.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import lru_cache

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.errors import InternalError
from shared.mail import outbox
from shared.mail.message import MailMessage, SentMail
from shared.mail.settings import MailSettings, runtime_sender
from shared.observability import logger


class MailDeliveryError(InternalError):
    """The mail service refused or failed to take the message."""

    default_message = "Failed to send the email."


class MailSender(ABC):
    """Hands a message to a mail service and returns the service's message id."""

    @abstractmethod
    def send(self, message: MailMessage) -> str:
        """Send one message; raise MailDeliveryError when it was not accepted."""


class SesMailSender(MailSender):
    """Amazon SES `SendEmail` with an HTML body and its text alternative."""

    def __init__(self, source: str | Callable[[], str]) -> None:
        # A callable is asked on each send: the sender is a runtime setting.
        self._source = source

    def send(self, message: MailMessage) -> str:
        body = {"Html": {"Data": message.html, "Charset": "UTF-8"}}
        if message.text:
            body["Text"] = {"Data": message.text, "Charset": "UTF-8"}
        try:
            response = aws.client("ses").send_email(
                Source=self._source if isinstance(self._source, str) else self._source(),
                Destination={"ToAddresses": list(message.to)},
                Message={"Subject": {"Data": message.subject, "Charset": "UTF-8"}, "Body": body},
            )
        except (ClientError, BotoCoreError) as exc:
            logger.error("mail not accepted by SES", extra={"mail_kind": message.kind, "error": str(exc)})
            raise MailDeliveryError() from exc
        return str(response["MessageId"])


class InMemoryMailSender(MailSender):
    """Keeps messages in a list, for unit tests."""

    def __init__(self) -> None:
        self.sent: list[MailMessage] = []
        self._lock = threading.Lock()

    def send(self, message: MailMessage) -> str:
        with self._lock:
            self.sent.append(message)
            return f"mem-{len(self.sent)}"


def mask_address(address: str) -> str:
    """`alice@example.com` -> `a***@example.com`: enough to correlate a support case, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def send_mail(sender: MailSender, message: MailMessage, settings: MailSettings) -> SentMail:
    """Send, log, and on the local stack keep a copy in the outbox; returns what was sent."""
    message_id = sender.send(message)
    sent = SentMail(message=message, message_id=message_id, sent_at=time.time())
    extra: dict[str, object] = {"mail_kind": message.kind, "to": [mask_address(a) for a in message.to],
                                "subject": message.subject, "message_id": message_id}
    if settings.mail_log_body:
        extra["to"] = list(message.to)
        extra["text"] = message.text
    logger.info("mail sent", extra=extra)
    if settings.mail_outbox_dir is not None:
        outbox.write(settings.mail_outbox_dir, sent)
    return sent


@lru_cache(maxsize=1)
def default_mail_sender() -> MailSender:
    """SES from the app settings' sender, built on first use (no client at import time)."""
    return SesMailSender(runtime_sender)
