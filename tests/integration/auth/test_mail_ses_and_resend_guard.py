"""The SES sender and the DynamoDB mail resend guard on moto."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from shared.accounts.mail_guard import DynamoMailResendGuard
from shared.mail.message import MailMessage
from shared.mail.sender import MailDeliveryError, SesMailSender


def _sent(region: str = "us-east-1") -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)


def test_ses_sender_sends_from_a_verified_identity(moto_aws: None) -> None:
    boto3.client("ses").verify_email_identity(EmailAddress="support@example.com")
    message = MailMessage(to=("ann@example.com",), subject="Verify", html="<p>Hi</p>", text="Hi", kind="verification")

    message_id = SesMailSender('"Support" <support@example.com>').send(message)

    [sent] = [m for m in _sent() if m.id == message_id]
    assert sent.subject == "Verify" and sent.destinations == {"ToAddresses": ["ann@example.com"]}


def test_ses_refusal_is_a_delivery_error(moto_aws: None) -> None:
    with pytest.raises(MailDeliveryError):
        SesMailSender("unverified@example.com").send(MailMessage(to=("a@b.io",), subject="s", html="h"))


def test_resend_guard_is_a_conditional_write_with_ttl(moto_system_table: str, dynamodb_client: Any) -> None:
    guard = DynamoMailResendGuard(moto_system_table)

    assert guard.acquire("c1", "r1", "passwordReset", now=1000, interval_s=120)
    assert not guard.acquire("c1", "r1", "passwordReset", now=1100, interval_s=120)
    # An expired claim that TTL has not deleted yet is overwritten, not trusted.
    assert guard.acquire("c1", "r1", "passwordReset", now=1120, interval_s=120)
    item = dynamodb_client.get_item(TableName=moto_system_table,
                                    Key={"pk": {"S": "mr#c1#r1"}, "sk": {"S": "passwordReset"}})["Item"]
    assert item["ttl"] == {"N": "1240"}
    guard.release("c1", "r1", "passwordReset")
    assert guard.acquire("c1", "r1", "passwordReset", now=1121, interval_s=120)
