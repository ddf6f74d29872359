"""TOTP factors in the system table on moto, sealed with moto's KMS: the items, the conditional writes that make
a code and a recovery code single-use under races, and a disable that leaves nothing behind."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pyotp
import pytest

from shared.accounts.totp.sealing import totp_cipher
from shared.accounts.totp.service import TotpService
from shared.auth.errors import AuthStorageError
from shared.auth.settings import ThrottleRules
from shared.auth.throttle import SignInThrottle
from shared.auth.throttle_repository import get_sign_in_throttle_repository
from shared.auth.totp_repository import DynamoTotpRepository
from shared.errors import BadRequestError


@pytest.fixture
def totp(moto_system_table: str) -> TotpService:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    # Generous free failures: the races below fail on purpose, and the throttle is tested on its own
    rules = ThrottleRules(throttle_free_failures=50)
    throttle = SignInThrottle(get_sign_in_throttle_repository(moto_system_table), rules)
    return TotpService(DynamoTotpRepository(moto_system_table), totp_cipher(key), throttle)


def items(client: Any, table: str, record: str = "r1") -> dict[str, dict[str, Any]]:
    found = client.query(TableName=table, KeyConditionExpression="pk = :pk",
                         ExpressionAttributeValues={":pk": {"S": f"tp#c1#{record}"}})["Items"]
    return {i["sk"]["S"]: i for i in found}


def enrol(totp: TotpService) -> tuple[str, list[str]]:
    secret = totp.enrol("c1", "r1", issuer="Acme", account="ann@example.com").secret
    return secret, totp.confirm("c1", "r1", pyotp.TOTP(secret).at(time.time() - 30))


def test_confirming_writes_the_sealed_enrolment_and_ten_hashed_codes_at_once(totp: TotpService, dynamodb_client: Any,
                                                                             moto_system_table: str) -> None:
    # Given a pending enrolment: one item, sealed, with its TTL
    secret = totp.enrol("c1", "r1", issuer="Acme", account="a").secret
    pending = items(dynamodb_client, moto_system_table)["pending"]
    assert pending["sealed_secret"]["S"].startswith("kms:") and secret not in repr(pending) and "ttl" in pending
    # When it is confirmed
    recovery = totp.confirm("c1", "r1", pyotp.TOTP(secret).now())
    # Then the pending item became the active one, with ten recovery-code items and no clear text anywhere
    stored = items(dynamodb_client, moto_system_table)
    assert "pending" not in stored and stored["active"]["entity"]["S"] == "totpEnrolment"
    assert len([sk for sk in stored if sk.startswith("rc#")]) == 10
    assert not any(c in repr(stored) or c.replace("-", "") in repr(stored) for c in [secret, *recovery])


def test_a_ciphertext_moved_to_another_record_does_not_open(totp: TotpService, dynamodb_client: Any,
                                                            moto_system_table: str) -> None:
    # Given two records' factors, and the first one's sealed secret copied onto the second's
    secret, _ = enrol(totp)
    other = totp.enrol("c1", "r2", issuer="Acme", account="b").secret
    totp.confirm("c1", "r2", pyotp.TOTP(other).now())
    sealed = items(dynamodb_client, moto_system_table)["active"]["sealed_secret"]
    dynamodb_client.update_item(TableName=moto_system_table, Key={"pk": {"S": "tp#c1#r2"}, "sk": {"S": "active"}},
                                UpdateExpression="SET sealed_secret = :s", ExpressionAttributeValues={":s": sealed})
    # Then KMS refuses it (the encryption context names the record): no code of the first secret passes there
    with pytest.raises(AuthStorageError):
        totp.verify("c1", "r2", pyotp.TOTP(secret).at(time.time() + 30))


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """One DynamoDB request at a time, as DynamoDB applies each conditional write atomically: moto in-process
    evaluates a condition and writes without a lock, so two threads may both pass a check that one write fails."""
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with lock:
            return original(self)

    monkeypatch.setattr(DynamoHandler, "call_action", call_action)


@pytest.mark.usefixtures("atomic_requests")
def test_of_parallel_uses_of_one_code_or_one_recovery_code_exactly_one_passes(totp: TotpService) -> None:
    # Given a factor and the next step's code
    secret, recovery = enrol(totp)
    code = pyotp.TOTP(secret).at(time.time() + 30)

    def attempt(value: str) -> bool:
        try:
            totp.verify("c1", "r1", value)
            return True
        except BadRequestError:
            return False

    # When four requests use it at once / Then one passes; the same for a recovery code
    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(attempt, [code] * 4)) == [False, False, False, True]
        assert sorted(pool.map(attempt, [recovery[0]] * 4)) == [False, False, False, True]
    assert totp.status("c1", "r1").recovery_codes_left == 9


def test_disabling_deletes_every_item_of_the_factor(totp: TotpService, dynamodb_client: Any,
                                                    moto_system_table: str) -> None:
    secret, recovery = enrol(totp)
    enrolment = totp.enrolment("c1", "r1")
    assert enrolment is not None
    token = totp.remember_device(enrolment)
    assert token and any(sk.startswith("dev#") for sk in items(dynamodb_client, moto_system_table))
    totp.disable("c1", "r1", recovery[0])
    assert items(dynamodb_client, moto_system_table) == {}
    # And forgetting a deleted record's factor is one call that leaves nothing either
    enrol(totp)
    totp.forget("c1", "r1")
    assert items(dynamodb_client, moto_system_table) == {}
    assert secret
