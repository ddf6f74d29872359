"""Mail rendering, the local outbox and the logging send path, without AWS."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.mail import outbox
from shared.mail.message import MailMessage, SentMail
from shared.mail.render import html_to_text, links, resolve
from shared.mail.sender import InMemoryMailSender, mask_address, send_mail
from shared.mail.settings import MailSettings


def test_placeholders_are_escaped_in_the_body_and_raw_in_the_subject() -> None:
    subject, body = resolve("Hi {RECORD:name}", '<p>{RECORD:name}</p><a href="{APP_URL}/x/{TOKEN}">Go</a>',
                            {"{RECORD:name}": "<b>Ann & Co</b>", "{APP_URL}": "https://app", "{TOKEN}": "t.k-1"})

    assert subject == "Hi <b>Ann & Co</b>"
    assert body == '<p>&lt;b&gt;Ann &amp; Co&lt;/b&gt;</p><a href="https://app/x/t.k-1">Go</a>'


def test_the_text_part_keeps_links_readable() -> None:
    body = '<p>Hello,</p>\n<p>\n  <a class="btn" href="https://a/b?x=1&amp;y=2">Verify</a>\n</p>\n<p>Thanks,<br/>Team</p>'

    assert html_to_text(body) == "Hello,\n\nVerify: https://a/b?x=1&y=2\n\nThanks,\nTeam"
    assert links(body) == ["https://a/b?x=1&y=2"]


def test_outbox_round_trip_is_private_and_ordered(tmp_path: Path) -> None:
    first = SentMail(message=MailMessage(to=("a@x.io",), subject="1", html="<p>1</p>"), message_id="m1", sent_at=1.0)
    second = SentMail(message=MailMessage(to=("b@x.io",), subject="2", html="<p>2</p>"), message_id="m2", sent_at=2.0)
    path = outbox.write(tmp_path / "mail", second)
    outbox.write(tmp_path / "mail", first)

    assert [m.message_id for m in outbox.read(tmp_path / "mail")] == ["m1", "m2"]
    assert path.stat().st_mode & 0o777 == 0o600
    assert outbox.clear(tmp_path / "mail") == 2 and outbox.read(tmp_path / "mail") == []
    assert outbox.read(tmp_path / "missing") == []


def test_send_mail_keeps_a_local_copy_only_when_configured(tmp_path: Path) -> None:
    sender = InMemoryMailSender()
    message = MailMessage(to=("alice@example.com",), subject="S", html="<p>x</p>", text="secret-link", kind="k")

    sent = send_mail(sender, message, MailSettings(mail_outbox_dir=None))
    send_mail(sender, message, MailSettings(mail_outbox_dir=tmp_path))

    assert sent.message_id == "mem-1" and len(sender.sent) == 2
    assert [m.message_id for m in outbox.read(tmp_path)] == ["mem-2"]
    assert mask_address("alice@example.com") == "a***@example.com" and mask_address("nobody") == "***"


def test_sender_header_quotes_the_name() -> None:
    assert MailSettings(mail_sender_name='Ac"me', mail_sender_address="s@x.io").sender == '"Acme" <s@x.io>'
    assert MailSettings(mail_sender_name="", mail_sender_address="s@x.io").sender == "s@x.io"


def test_mail_bodies_and_addresses_stay_out_of_logs_unless_asked(caplog: pytest.LogCaptureFixture) -> None:
    message = MailMessage(to=("alice@example.com",), subject="Reset", html="<p>x</p>", text="LINK-WITH-TOKEN",
                          kind="passwordReset")
    caplog.set_level("INFO", logger="lambdabase")

    send_mail(InMemoryMailSender(), message, MailSettings())
    send_mail(InMemoryMailSender(), message, MailSettings(mail_log_body=True))

    aws, local = (vars(r) for r in caplog.records if r.getMessage() == "mail sent")
    assert aws["to"] == ["a***@example.com"] and "text" not in aws
    assert "LINK-WITH-TOKEN" not in str(aws) and "alice@example.com" not in str(aws)
    assert local["text"] == "LINK-WITH-TOKEN"
