"""Standard Webhooks signatures, verified with the `standardwebhooks` library; secrets and their rotation."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from shared.webhooks.secrets import SECRET_PREFIX, SigningKeys, new_secret, secret_error
from shared.webhooks.signing import signed_headers, webhook_id


def test_a_new_secret_is_whsec_and_24_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(secret[len(SECRET_PREFIX):])) == 24
    assert new_secret() != secret and secret_error(secret) is None


@pytest.mark.parametrize("secret", ["nope", "whsec_", "whsec_!!!!", "whsec_" + base64.b64encode(b"x" * 8).decode()])
def test_an_unusable_secret_is_refused(secret: str) -> None:
    assert secret_error(secret) is not None


def test_a_delivery_verifies_with_the_standardwebhooks_library() -> None:
    # Given a secret and a body signed now
    secret = new_secret()
    body = '{"type":"record.created","timestamp":"2026-12-01 10:00:00.000Z","data":{"record":{"id":"x"}}}'
    headers = signed_headers("msg_1", int(time.time()), body, [secret])
    # Then the library verifies it, and refuses it under another secret or with a changed body
    assert Webhook(secret).verify(body, headers)["data"]["record"]["id"] == "x"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("x", "y"), headers)


def test_during_a_rotation_both_secrets_sign_and_after_the_overlap_only_the_new_one() -> None:
    # Given keys rotated at t=1000 with an overlap of an hour
    old, new = new_secret(), new_secret()
    keys = SigningKeys(current=old).rotated(new, 1000.0, 3600)
    # Then both sign within the hour, the new one alone afterwards
    assert keys.signing(1500.0) == [new, old]
    assert keys.signing(4601.0) == [new]
    body = "{}"
    headers = signed_headers("msg_2", int(time.time()), body, keys.signing(1500.0))
    assert headers["webhook-signature"].count("v1,") == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)


def test_a_rotation_without_overlap_retires_the_old_secret_at_once() -> None:
    old, new = new_secret(), new_secret()
    assert SigningKeys(current=old).rotated(new, 1000.0, 0).signing(1000.0) == [new]


def test_the_webhook_id_is_stable_per_event_and_subscription() -> None:
    assert webhook_id("evt_1", "sub_a") == webhook_id("evt_1", "sub_a")
    assert len({webhook_id("evt_1", "sub_a"), webhook_id("evt_1", "sub_b"), webhook_id("evt_2", "sub_a")}) == 3
