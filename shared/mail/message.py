"""A mail message as the senders take it, and as the local outbox stores it."""

from pydantic import BaseModel, ConfigDict


class MailMessage(BaseModel):
    """One message to one or more recipients; `kind` says which flow sent it (for logs and the outbox)."""

    model_config = ConfigDict(frozen=True)

    to: tuple[str, ...]
    subject: str
    html: str
    text: str = ""
    kind: str = ""


class SentMail(BaseModel):
    """A message the mail service accepted, with its id there (SES MessageId) and the time it was sent."""

    message: MailMessage
    message_id: str
    sent_at: float
