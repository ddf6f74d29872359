"""Upload slot tokens (sealed, opened, refused) and which rules a slot request can be judged by."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from shared.auth.keyring import Keyring
from shared.files.slot_rules import create_rule_judgeable, update_rule_judgeable
from shared.files.slots import ExpiredSlotError, InvalidSlotError, SlotSigner, UploadSlot, is_slot_token
from shared.tools.filter import parse_filter

KEYS = Keyring(active="k1", keys={"k1": SecretStr("a" * 40), "k0": SecretStr("b" * 40)})
SLOT = UploadSlot(slot_id="s1", collection_id="pbc_1", field_id="file1", record_id="", owner="_pb_users_auth_/u1",
                  filename="Mon Rapport (final).pdf", max_size=1000, expires=2_000)


def test_a_sealed_slot_opens_to_the_same_slot_before_its_deadline() -> None:
    token = SlotSigner(KEYS, clock=lambda: 1_000).seal(SLOT)
    assert is_slot_token(token)
    assert SlotSigner(KEYS, clock=lambda: 1_999).open(token) == SLOT
    assert SLOT.key == "uploads/s1/Mon_Rapport_final_.pdf"


def test_a_slot_past_its_deadline_is_expired() -> None:
    token = SlotSigner(KEYS).seal(SLOT)
    with pytest.raises(ExpiredSlotError):
        SlotSigner(KEYS, clock=lambda: 2_000).open(token)


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # another signature
    lambda t: "upload:not-a-jwt",
    lambda t: t.replace(t.split(".")[1], t.split(".")[1][::-1]),  # other claims
])
def test_a_tampered_token_is_invalid(tamper: object) -> None:
    token = SlotSigner(KEYS).seal(SLOT)
    with pytest.raises(InvalidSlotError) as caught:
        SlotSigner(KEYS, clock=lambda: 1_000).open(tamper(token))  # type: ignore[operator]
    assert not isinstance(caught.value, ExpiredSlotError)


def test_a_token_of_another_keyring_is_invalid_and_a_retired_key_still_opens() -> None:
    other = Keyring(active="k1", keys={"k1": SecretStr("c" * 40)})
    with pytest.raises(InvalidSlotError):
        SlotSigner(other, clock=lambda: 1_000).open(SlotSigner(KEYS).seal(SLOT))
    rotated = Keyring(active="k2", keys={"k2": SecretStr("d" * 40), "k1": SecretStr("a" * 40)})
    assert SlotSigner(rotated, clock=lambda: 1_000).open(SlotSigner(KEYS).seal(SLOT)) == SLOT


@pytest.mark.parametrize(("rule", "create", "update"), [
    ("@request.auth.id != ''", True, True),
    ("@request.auth.verified = true && @request.auth.role = 'editor'", True, True),
    ("owner = @request.auth.id", False, True),
    ("@request.body.title != ''", False, False),
    ("@request.auth.id != '' && @request.query.x = '1'", False, False),
    ("@collection.members.user ?= @request.auth.id", False, True),
])
def test_which_rules_a_slot_request_can_judge(rule: str, create: bool, update: bool) -> None:
    parsed = parse_filter(rule)
    assert (create_rule_judgeable(parsed), update_rule_judgeable(parsed)) == (create, update)
