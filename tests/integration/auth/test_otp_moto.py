"""Email OTP on moto: the code exists only in the mail (never in DynamoDB, an event or a log line), and the
flow publishes `auth.otp_requested`, `auth.signin` (method otp) and `auth.signin_failed` (reason invalid_otp)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from msgspec.structs import replace

from local import cloud
from shared import resources
from shared.accounts.auth_events import AuthEventHooks
from shared.accounts.collaborators import Accounts, accounts
from shared.accounts.otp import otp_sign_in, request_otp
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.errors import BadRequestError
from shared.events.envelope import EventEnvelope
from shared.mail.message import MailMessage
from shared.mail.sender import MailSender
from shared.records.context import RequestContext
from shared.records.scope import RecordScope
from tests.support.record_stores import dynamo_records

PASSWORD = "Passw0rd-long-enough"


class Outbox(MailSender):
    """Keeps what would have gone through SES."""

    def __init__(self) -> None:
        self.sent: list[MailMessage] = []

    def send(self, message: MailMessage) -> str:
        self.sent.append(message)
        return f"msg-{len(self.sent)}"


def scope(request: RequestContext | None = None) -> RecordScope:
    return RecordScope(DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name),
                       dynamo_records(),
                       request or RequestContext(system=True))


@pytest.fixture
def world(moto: cloud.MotoCloud, monkeypatch: pytest.MonkeyPatch) -> tuple[Accounts, Outbox, list[EventEnvelope]]:
    """An OTP-enabled users collection with ann, and account components that keep their mail and events, set
    up as on AWS (the local stack's LB_MAIL_LOG_BODY, which logs mail bodies, is off)."""
    monkeypatch.delenv("LB_MAIL_LOG_BODY", raising=False)
    accounts.cache_clear()  # its clients and settings belong to the previous moto
    admin = scope()
    CollectionsAdmin(admin.collections, admin.records).update("users", {"otp": {"enabled": True}})
    admin.writer.create("users", {"email": "ann@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD})
    outbox, events = Outbox(), []
    hooks = AuthEventHooks()
    hooks.on(events.append)
    return replace(accounts(), mail=outbox, events=hooks), outbox, events


def guest() -> RecordScope:
    return scope(RequestContext(method="POST", ip="10.9.8.7", user_agent="sdk/1"))


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text += json.dumps(record.__dict__, default=str) + "\n"  # the message and every extra field


def test_the_code_is_only_in_the_mail(world: Any) -> None:
    # Given ann asked for a code, and used a wrong one, then the right one (the service's log lines kept)
    components, outbox, events = world
    lines = Lines()
    logging.getLogger("lambdabase").addHandler(lines)
    stored = guest().collections.get("users")
    otp_id = request_otp(guest(), components, stored, {"email": "ann@example.com"})["otpId"]
    [mail] = outbox.sent
    found = re.search(r"<strong>(\d{8})</strong>", mail.html)
    assert found is not None
    code = found.group(1)
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    with pytest.raises(BadRequestError):
        otp_sign_in(guest(), components, stored, {"otpId": otp_id, "password": wrong})
    record = otp_sign_in(guest(), components, stored, {"otpId": otp_id, "password": code})
    logging.getLogger("lambdabase").removeHandler(lines)

    # Then the events tell what happened, the code nowhere in them, in the tables or in the logs
    assert [e.type for e in events] == ["auth.otp_requested", "auth.signin_failed", "auth.signin"]
    assert events[1].data == {"method": "otp", "reason": "invalid_credentials"}
    assert events[2].data["method"] == "otp" and record.data
    published = json.dumps([e.model_dump(mode="json") for e in events])
    assert code not in published and otp_id not in published
    for table in (resources.RECORDS_TABLE.physical_name, resources.SYSTEM_TABLE.physical_name):
        items = client("dynamodb").scan(TableName=table)["Items"]
        assert code not in json.dumps(items)
    assert "otp sign-in succeeded" in lines.text and code not in lines.text
