"""The TOTP core over in-memory fakes: the ±1 step window, replay protection, recovery codes, remembered devices,
the throttle, and secrets sealed with their record bound in."""

from __future__ import annotations

import pyotp
import pytest

from shared.accounts.totp import codes
from shared.accounts.totp.service import TotpService, throttle_identity
from shared.accounts.totp.settings import TotpSettings
from shared.app_settings.secrets import ReversedSecretCipher
from shared.auth.errors import AuthStorageError
from shared.auth.settings import ThrottleRules
from shared.auth.throttle import SignInThrottle
from shared.auth.throttle_repository import InMemorySignInThrottleRepository
from shared.auth.totp_repository import InMemoryTotpRepository
from shared.errors import BadRequestError, TooManyRequestsError

START = 1_750_000_005.0  # 5 s into a step


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repo() -> InMemoryTotpRepository:
    return InMemoryTotpRepository()


@pytest.fixture
def totp(repo: InMemoryTotpRepository, clock: Clock) -> TotpService:
    throttle = SignInThrottle(InMemorySignInThrottleRepository(), ThrottleRules(), clock=clock)
    return TotpService(repo, ReversedSecretCipher(), throttle, TotpSettings(totp_remember_device_days=30), clock)


def code_at(secret: str, moment: float) -> str:
    return pyotp.TOTP(secret).at(moment)


def enrol(totp: TotpService, clock: Clock, record: str = "r1") -> tuple[str, list[str]]:
    """Enrolled and confirmed with the previous step's code."""
    secret = totp.enrol("c1", record, issuer="Acme", account="ann@example.com").secret
    return secret, totp.confirm("c1", record, code_at(secret, clock.now - 30))


# the window --------------------------------------------------------------------------------------------
def test_codes_of_the_previous_current_and_next_step_match_and_no_others() -> None:
    secret = codes.new_secret()
    # Given the codes around a moment / Then exactly steps -1, 0 and +1 match, each as its own step
    for offset in (-1, 0, 1):
        assert codes.matching_step(secret, code_at(secret, START + 30 * offset), START) == codes.step_at(START) + offset
    for offset in (-3, -2, 2, 3):
        assert codes.matching_step(secret, code_at(secret, START + 30 * offset), START) is None
    # And anything not six digits never matches
    for bad in ("", "12345", "1234567", "12a456", " 123456"):
        assert codes.matching_step(secret, bad, START) is None


def test_the_uri_names_issuer_and_account_and_the_secret_is_160_bits() -> None:
    secret = codes.new_secret()
    uri = codes.provisioning_uri(secret, "Acme Corp", "ann@example.com")
    assert uri.startswith("otpauth://totp/Acme%20Corp:ann%40example.com?") and f"secret={secret}" in uri
    assert len(secret) == 32 and pyotp.TOTP(secret).byte_secret().__len__() == 20


# enrolment ---------------------------------------------------------------------------------------------
def test_nothing_is_active_until_a_code_of_the_pending_secret_confirms_it(totp: TotpService, clock: Clock) -> None:
    # Given an enrolment
    secret = totp.enrol("c1", "r1", issuer="Acme", account="ann@example.com").secret
    assert totp.enrolment("c1", "r1") is None and totp.status("c1", "r1").pending is True
    # When a wrong code is sent / Then it stays pending
    with pytest.raises(BadRequestError):
        totp.confirm("c1", "r1", "000000" if code_at(secret, clock.now) != "000000" else "111111")
    assert totp.enrolment("c1", "r1") is None
    # When the right one is / Then it is active with ten recovery codes
    recovery = totp.confirm("c1", "r1", code_at(secret, clock.now))
    assert len(set(recovery)) == 10 and all(codes.is_recovery_shaped(c) for c in recovery)
    assert totp.status("c1", "r1").recovery_codes_left == 10


def test_an_expired_pending_enrolment_cannot_be_confirmed(totp: TotpService, clock: Clock) -> None:
    secret = totp.enrol("c1", "r1", issuer="Acme", account="a").secret
    clock.now += TotpSettings().totp_enrolment_ttl_s + 1
    with pytest.raises(BadRequestError, match="no TOTP enrolment"):
        totp.confirm("c1", "r1", code_at(secret, clock.now))


def test_a_new_enrolment_replaces_the_pending_secret(totp: TotpService, clock: Clock) -> None:
    first = totp.enrol("c1", "r1", issuer="Acme", account="a").secret
    second = totp.enrol("c1", "r1", issuer="Acme", account="a").secret
    with pytest.raises(BadRequestError):
        totp.confirm("c1", "r1", code_at(first, clock.now))
    assert len(totp.confirm("c1", "r1", code_at(second, clock.now))) == 10


# replay ------------------------------------------------------------------------------------------------
def test_a_code_passes_once_per_step_and_never_an_earlier_step_after_a_later_one(totp: TotpService,
                                                                                  clock: Clock) -> None:
    # Given a factor confirmed with the previous step's code
    secret, _ = enrol(totp, clock)
    # Then that code does not pass again
    with pytest.raises(BadRequestError):
        totp.verify("c1", "r1", code_at(secret, clock.now - 30))
    # When the next step's code passes (a phone a little ahead)
    totp.verify("c1", "r1", code_at(secret, clock.now + 30))
    # Then the current step's, though inside the window, is earlier and refused; so is the next one again
    for moment in (clock.now, clock.now + 30):
        with pytest.raises(BadRequestError):
            totp.verify("c1", "r1", code_at(secret, moment))
    # And a minute later the new current code passes
    clock.now += 60
    totp.verify("c1", "r1", code_at(secret, clock.now))


# recovery codes ----------------------------------------------------------------------------------------
def test_each_recovery_code_passes_once_in_any_case_and_with_or_without_dashes(totp: TotpService,
                                                                              clock: Clock) -> None:
    _, recovery = enrol(totp, clock)
    totp.verify("c1", "r1", recovery[0].lower().replace("-", ""))
    with pytest.raises(BadRequestError):
        totp.verify("c1", "r1", recovery[0])
    totp.verify("c1", "r1", f" {recovery[1]} ".strip())
    assert totp.status("c1", "r1").recovery_codes_left == 8


def test_recovery_codes_are_stored_as_sha256_only(repo: InMemoryTotpRepository, totp: TotpService,
                                                  clock: Clock) -> None:
    _, recovery = enrol(totp, clock)
    stored = {entry[3] for entry in repo.recovery}  # what the table would hold
    assert stored == {codes.recovery_hash(c) for c in recovery}
    assert not stored & {codes.normalise_recovery_code(c) for c in recovery}


# devices -----------------------------------------------------------------------------------------------
def test_a_remembered_device_lasts_its_days_and_belongs_to_one_record(totp: TotpService, clock: Clock) -> None:
    enrol(totp, clock, "r1")
    enrol(totp, clock, "r2")
    mine, other = totp.enrolment("c1", "r1"), totp.enrolment("c1", "r2")
    assert mine is not None and other is not None
    token = totp.remember_device(mine)
    assert token and totp.device_remembered(mine, token)
    # Then it is no device of another record, and a forged or non-text token is none either
    assert not totp.device_remembered(other, token)
    for forged in (token + "x", "", None, 42, "x" * 300):
        assert not totp.device_remembered(mine, forged)
    # And it expires after its days
    clock.now += 30 * 86_400 + 1
    assert not totp.device_remembered(mine, token)


def test_remember_device_days_zero_turns_the_option_off(repo: InMemoryTotpRepository, clock: Clock) -> None:
    throttle = SignInThrottle(InMemorySignInThrottleRepository(), ThrottleRules(), clock=clock)
    totp = TotpService(repo, ReversedSecretCipher(), throttle, TotpSettings(totp_remember_device_days=0), clock)
    enrol(totp, clock)
    enrolment = totp.enrolment("c1", "r1")
    assert enrolment is not None and totp.remember_device(enrolment) is None


# disabling ---------------------------------------------------------------------------------------------
def test_disabling_drops_the_recovery_codes_and_devices_and_a_new_enrolment_starts_clean(totp: TotpService,
                                                                                        clock: Clock) -> None:
    secret, recovery = enrol(totp, clock)
    old = totp.enrolment("c1", "r1")
    assert old is not None
    device = totp.remember_device(old)
    totp.disable("c1", "r1", code_at(secret, clock.now))
    assert totp.status("c1", "r1").enabled is False
    # When the record enrols again / Then none of the old recovery codes or devices count
    enrol(totp, clock)
    new = totp.enrolment("c1", "r1")
    assert new is not None and not totp.device_remembered(new, device)
    with pytest.raises(BadRequestError):
        totp.verify("c1", "r1", recovery[2])


# throttling --------------------------------------------------------------------------------------------
def test_guesses_are_throttled_with_retry_after_and_a_success_ends_the_delay(totp: TotpService,
                                                                             clock: Clock) -> None:
    secret, _ = enrol(totp, clock)
    wrong = next(f"{n:06d}" for n in range(10) if codes.matching_step(secret, f"{n:06d}", clock.now) is None)
    for _ in range(ThrottleRules().throttle_free_failures):
        with pytest.raises(BadRequestError):
            totp.verify("c1", "r1", wrong, "203.0.113.9")
    # Then the next attempt, even with the right code, is 429 with Retry-After
    with pytest.raises(TooManyRequestsError) as raised:
        totp.verify("c1", "r1", code_at(secret, clock.now), "203.0.113.9")
    assert int(raised.value.headers["Retry-After"]) >= 1
    assert throttle_identity("r1") == "totp#r1"
    # When the delay has passed the right code passes
    clock.now += 2
    totp.verify("c1", "r1", code_at(secret, clock.now), "203.0.113.9")


# sealing -----------------------------------------------------------------------------------------------
def test_the_secret_is_sealed_and_bound_to_its_record(repo: InMemoryTotpRepository, totp: TotpService,
                                                      clock: Clock) -> None:
    secret, _ = enrol(totp, clock, "r1")
    enrolment = totp.enrolment("c1", "r1")
    assert enrolment is not None and secret not in enrolment.sealed_secret
    # When the sealed secret is moved onto another record's factor
    enrol(totp, clock, "r2")
    other = totp.enrolment("c1", "r2")
    assert other is not None
    repo.enrolments[("c1", "r2")] = other.model_copy(update={"sealed_secret": enrolment.sealed_secret})
    # Then it does not open there: the answer is a storage error, never a code check against a wrong secret
    with pytest.raises(AuthStorageError):
        totp.verify("c1", "r2", code_at(secret, clock.now + 30))


# backups -----------------------------------------------------------------------------------------------
def test_backups_keep_every_item_of_a_factor() -> None:
    # A restored record keeps its second factor: restoring must not silently turn TOTP off
    from shared.backups.coverage import is_covered
    from shared.resources import SYSTEM_TABLE

    for sk in ("active", "pending", "rc#e1#h", "dev#e1#h"):
        assert is_covered(SYSTEM_TABLE.key, {"pk": {"S": "tp#c1#r1"}, "sk": {"S": sk}})


# the MFA override --------------------------------------------------------------------------------------
def test_the_override_wants_totp_for_an_enrolled_record_unless_it_presents_its_device(totp: TotpService,
                                                                                      clock: Clock) -> None:
    from types import SimpleNamespace
    from typing import Any

    from shared.accounts.totp.override import totp_override

    requires: Any = totp_override(lambda: totp)
    stored = SimpleNamespace(collection=SimpleNamespace(id="c1"))

    def ask(record_id: str, request: dict[str, Any]) -> bool | None:
        verdict: bool | None = requires(None, stored, SimpleNamespace(id=record_id), request)
        return verdict

    # Given a record without TOTP / Then no opinion: PocketBase's mfa options decide
    assert ask("r1", {}) is None
    # Given it enrolled / Then a second factor is required, also with a forged device token
    enrol(totp, clock, "r1")
    assert ask("r1", {}) is True and ask("r1", {"deviceToken": "forged"}) is True
    # When it presents a remembered device of its factor / Then it is skipped
    enrolment = totp.enrolment("c1", "r1")
    assert enrolment is not None
    device = totp.remember_device(enrolment)
    assert ask("r1", {"deviceToken": device}) is False
    # And once the device expired it is required again
    clock.now += 31 * 86_400
    assert ask("r1", {"deviceToken": device}) is True
