"""Conformance of email OTP and the MFA (mfaId) flow: bodies, errors, single use, the guess limit and the MFA
sessions, next to the real PocketBase. Both sides' codes are read from the mail each sent: PocketBase's through
an SMTP sink on loopback (it stores codes hashed in `_otps`), Lambdabase's from the local stack's outbox."""

from __future__ import annotations

import email
import re
import socketserver
import threading
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest

from shared.mail import outbox
from tests.conformance.paired import GUEST, USER_PASSWORD, PairedClient
from tests.conformance.scenario import Case, cases, check, comparable
from tests.conformance.servers import PocketBaseProcess
from tests.support.stack_process import StackProcess, free_port

OTP = "/api/collections/om_otp"
MFA = "/api/collections/om_mfa"
CODE = re.compile(r"<strong>(\d+)</strong>")


class _SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP for PocketBase's mailer (no TLS; any AUTH PLAIN accepted, since another module may leave an
    SMTP password in PocketBase's settings, which then signs in): every message's bytes kept in `server.mails`."""

    def handle(self) -> None:
        self._say("220 sink")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith("DATA"):
                self._say("354 go on")
                data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                self.server.mails.append(email.message_from_bytes(data))  # type: ignore[attr-defined]
                self._say("250 kept")
            elif verb.startswith("EHLO"):
                self._say("250-sink")
                self._say("250 AUTH PLAIN")
            elif verb.startswith("AUTH"):
                self._say("235 accepted")
            elif verb.startswith("QUIT"):
                self._say("221 bye")
                return
            else:
                self._say("250 ok")

    def _say(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


def _html(message: Message) -> str:
    parts = [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "text/html"]
    return b"".join(p for p in parts if isinstance(p, bytes)).decode()


class Mailboxes:
    """The codes each side mailed to an address."""

    def __init__(self, sink: socketserver.ThreadingTCPServer, stack: StackProcess) -> None:
        self.sink, self.stack = sink, stack

    def codes(self, address: str, timeout: float = 10.0) -> tuple[str, str]:
        """(PocketBase's, Lambdabase's) newest code sent to `address`; PocketBase mails in the background."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pb = [_html(m) for m in self.sink.mails if address in str(m["To"])]  # type: ignore[attr-defined]
            lb = [m.message.html for m in outbox.read(self.stack.data_dir / "mail") if address in m.message.to]
            if pb and lb:
                return _code(pb[-1]), _code(lb[-1])
            time.sleep(0.05)
        raise AssertionError(f"no code mailed to {address} on both sides")


def _code(html: str) -> str:
    found = CODE.search(html)
    assert found, html
    return found.group(1)


@pytest.fixture(scope="module")
def mailboxes(paired: PairedClient, servers: tuple[PocketBaseProcess, StackProcess]) -> Iterator[Mailboxes]:
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    sink = socketserver.ThreadingTCPServer(("127.0.0.1", free_port()), _SmtpSink)
    sink.mails = []  # type: ignore[attr-defined]
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    smtp = {"enabled": True, "host": "127.0.0.1", "port": sink.server_address[1]}
    root = {"Authorization": paired.pb.tokens["superuser"]}
    # put back whole afterwards: test_settings, if it runs later on this server, compares the SMTP section
    smtp_before = paired.pb.http.get("/api/settings", headers=root).raise_for_status().json()["smtp"]
    paired.pb.http.patch("/api/settings", json={"smtp": smtp}, headers=root).raise_for_status()
    paired.create_collection({"name": "om_otp", "type": "auth", "createRule": "", "otp": {"enabled": True}})
    paired.create_collection({"name": "om_mfa", "type": "auth", "createRule": "", "otp": {"enabled": True},
                              "mfa": {"enabled": True}})
    boxes = Mailboxes(sink, servers[1])
    _wait_for_mail(paired, boxes)
    try:
        yield boxes
    finally:
        paired.pb.http.patch("/api/settings", json={"smtp": smtp_before}, headers=root)
        sink.shutdown()
        sink.server_close()


def _wait_for_mail(paired: PairedClient, boxes: Mailboxes, timeout: float = 20.0) -> None:
    """Until a probe code reaches each side's mailbox: another module's settings (an unverified sender) can still
    be cached by Lambdabase's auth function for the settings' 5 s propagation, and its mail fails meanwhile."""
    address = "otp-probe@example.com"
    sign_up(paired, "om_otp", "otp-probe")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for side in (paired.pb, paired.lb):
            side.http.post("/api/collections/om_otp/request-otp", json={"email": address}).raise_for_status()
        try:
            boxes.codes(address, timeout=1.0)
            return
        except AssertionError:
            continue
    raise AssertionError(f"no OTP code mailed: {len(boxes.sink.mails)} mails at PocketBase's sink")  # type: ignore[attr-defined]


def sign_up(paired: PairedClient, collection: str, name: str) -> str:
    address = f"{name}@example.com"
    paired.ok("POST", f"/api/collections/{collection}/records", role=GUEST, json={
        "email": address, "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD})
    return address


def same(paired: PairedClient, method: str, path: str, body: Any) -> tuple[Any, Any]:
    """Send as a guest (`${name}` filled per side) and require both answers alike; returns both JSON bodies."""
    pair = paired.send(method, path, role=GUEST, json=body)
    pb, lb = comparable(paired, pair)
    assert pb == lb, f"{method} {path}: pocketbase {pb} vs lambdabase {lb}"
    return pair.json()


def ask_code(paired: PairedClient, mailboxes: Mailboxes, collection: str, address: str, name: str) -> None:
    """Request a code on both sides; `${name}_id` and `${name}` are then each side's otpId and code."""
    ids = same(paired, "POST", f"/api/collections/{collection}/request-otp", {"email": address})
    codes = mailboxes.codes(address)
    for side, otp_id, code in ((paired.pb, ids[0]["otpId"], codes[0]), (paired.lb, ids[1]["otpId"], codes[1])):
        side.remember(f"{name}_id", otp_id)
        side.remember(name, code)


CASES = cases(
    Case("request otp without an email", "POST", OTP + "/request-otp", role=GUEST, body={}),
    Case("request otp with a malformed email", "POST", OTP + "/request-otp", role=GUEST, body={"email": "nope"}),
    Case("request otp with a numeric email", "POST", OTP + "/request-otp", role=GUEST, body={"email": 5}),
    Case("request otp with a list body", "POST", OTP + "/request-otp", role=GUEST, body=[1]),
    Case("request otp for an unknown email", "POST", OTP + "/request-otp", role=GUEST,
         body={"email": "nobody@example.com"}),
    Case("auth with otp without a body", "POST", OTP + "/auth-with-otp", role=GUEST, body={}),
    Case("auth with otp without a password", "POST", OTP + "/auth-with-otp", role=GUEST, body={"otpId": "x"}),
    Case("auth with otp with a too long code", "POST", OTP + "/auth-with-otp", role=GUEST,
         body={"otpId": "x", "password": "1" * 72}),
    Case("auth with otp with a numeric id", "POST", OTP + "/auth-with-otp", role=GUEST,
         body={"otpId": 5, "password": "1"}),
    Case("auth with an unknown otp", "POST", OTP + "/auth-with-otp", role=GUEST,
         body={"otpId": "abcdefghijklmno", "password": "12345678"}),
)


@pytest.mark.parametrize("case", CASES)
def test_otp_edges(paired: PairedClient, mailboxes: Mailboxes, case: Case) -> None:
    # Given an OTP collection on both sides, When the same request goes to both, Then both answer alike
    check(paired, case)


def test_an_otp_signs_in_once_and_verifies(paired: PairedClient, mailboxes: Mailboxes) -> None:
    # Given an unverified user who asked for a code on both sides
    address = sign_up(paired, "om_otp", "otp-once")
    ask_code(paired, mailboxes, "om_otp", address, "once")

    # When the code is used, Then both sign in alike (token, record now verified)
    pb, _ = same(paired, "POST", OTP + "/auth-with-otp", {"otpId": "${once_id}", "password": "${once}"})
    assert pb["record"]["verified"] is True

    # When it is used again, Then both refuse it alike
    same(paired, "POST", OTP + "/auth-with-otp", {"otpId": "${once_id}", "password": "${once}"})


def test_guessing_a_code_hits_the_limit(paired: PairedClient, mailboxes: Mailboxes) -> None:
    # Given a user with a live code on both sides
    address = sign_up(paired, "om_otp", "otp-guess")
    ask_code(paired, mailboxes, "om_otp", address, "guess")
    wrong = "0" * 8 if "0" * 8 not in (paired.pb.values["guess"], paired.lb.values["guess"]) else "1" * 8

    # When six wrong codes are tried, Then both answer five 400s and then the same 429
    for _ in range(6):
        same(paired, "POST", OTP + "/auth-with-otp", {"otpId": "${guess_id}", "password": wrong})


def test_password_then_otp_completes_mfa(paired: PairedClient, mailboxes: Mailboxes) -> None:
    # Given two users of an MFA collection on both sides
    address = sign_up(paired, "om_mfa", "mfa-flow")
    other = sign_up(paired, "om_mfa", "mfa-other")
    password = {"identity": address, "password": USER_PASSWORD}

    # When the password passes, Then both answer the bare 401 {mfaId}
    first = same(paired, "POST", MFA + "/auth-with-password", password)
    paired.pb.remember("mfa", first[0]["mfaId"])
    paired.lb.remember("mfa", first[1]["mfaId"])

    # When the same method, an unknown, a numeric or another user's mfaId comes, Then the same 400s
    same(paired, "POST", MFA + "/auth-with-password", {**password, "mfaId": "${mfa}"})
    same(paired, "POST", MFA + "/auth-with-password", {**password, "mfaId": "abcdefghijklmno"})
    same(paired, "POST", MFA + "/auth-with-password", {**password, "mfaId": 5})
    same(paired, "POST", MFA + "/auth-with-password", {"identity": other, "password": USER_PASSWORD,
                                                        "mfaId": "${mfa}"})

    # When an OTP completes it with the mfaId, Then both sign in alike, and the mfaId is spent on both
    ask_code(paired, mailboxes, "om_mfa", address, "second")
    same(paired, "POST", MFA + "/auth-with-otp", {"otpId": "${second_id}", "password": "${second}", "mfaId": "${mfa}"})
    same(paired, "POST", MFA + "/auth-with-password", {**password, "mfaId": "${mfa}"})


def test_new_origins_get_pocketbases_fingerprint(paired: PairedClient, mailboxes: Mailboxes) -> None:
    # Given a user who signs in with a given user agent on both sides (both see the client as 127.0.0.1)
    address = sign_up(paired, "om_otp", "origin")
    agent = {"User-Agent": "conformance-agent/1.0 " + "x" * 220}  # past 200 characters: cut, then "..."
    pair = paired.send("POST", OTP + "/auth-with-password", role=GUEST, headers=agent,
                       json={"identity": address, "password": USER_PASSWORD})
    ids = pair.json()[0]["record"]["id"], pair.json()[1]["record"]["id"]

    # When each side's _authOrigins of that user are read, Then both hold one origin with the same fingerprint
    prints = []
    for side, record_id in zip((paired.pb, paired.lb), ids, strict=True):
        listed = side.http.get("/api/collections/_authOrigins/records", params={"filter": f"recordRef='{record_id}'"},
                               headers={"Authorization": side.tokens["superuser"]}).json()
        prints.append([item["fingerprint"] for item in listed["items"]])
    assert len(prints[0]) == 1 and prints[0] == prints[1]
