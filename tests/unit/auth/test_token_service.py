"""JWT service: PocketBase claims, HS256 pinning, kid rotation and tokenKey invalidation."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth.errors import InvalidTokenError
from shared.auth.keyring import Keyring, parse_keyring
from shared.auth.settings import TokenDurations
from shared.auth.tokens import TokenService, default_duration, signing_key

SECRET_A = "rotation-secret-a-0123456789abcdefghij"
SECRET_B = "rotation-secret-b-0123456789abcdefghij"
TOKEN_KEY = "record-token-key-1"


def _b64(data: Mapping[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict[str, object], dict[str, object]]:
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    return header, payload


@pytest.fixture
def service(keyring: Keyring) -> TokenService:
    return TokenService(keyring)


def test_auth_token_round_trip_with_pocketbase_claims(service: TokenService) -> None:
    # Given an auth token for a record
    token = service.issue_token("auth", "rec123", "pbc_users", TOKEN_KEY, 3600)

    # When it is verified with the record's tokenKey
    claims = service.verify_token(token, "auth", TOKEN_KEY)

    # Then the claims are PocketBase's, and the header pins HS256 and names the kid
    header, payload = _parts(token)
    assert set(payload) == {"id", "type", "collectionId", "refreshable", "exp"}
    assert header["alg"] == "HS256" and header["kid"] == "default"
    assert (claims.id, claims.type, claims.collection_id, claims.refreshable) == (
        "rec123", "auth", "pbc_users", True)
    assert claims.kid == "default"
    assert abs(claims.exp - (time.time() + 3600)) < 5


@pytest.mark.parametrize(("kind", "extra", "expected"), [
    ("verification", {"email": "a@b.c"}, {"id", "type", "collectionId", "email", "exp"}),
    ("passwordReset", {"email": "a@b.c"}, {"id", "type", "collectionId", "email", "exp"}),
    ("emailChange", {"email": "a@b.c", "newEmail": "n@b.c"},
     {"id", "type", "collectionId", "email", "newEmail", "exp"}),
    ("file", {}, {"id", "type", "collectionId", "exp"}),
    ("auth", {"refreshable": False}, {"id", "type", "collectionId", "refreshable", "exp"}),
])
def test_every_token_type_carries_pocketbase_claims(service: TokenService, kind, extra, expected) -> None:
    token = service.issue_token(kind, "rec123", "pbc_users", TOKEN_KEY, 600, extra)

    claims = service.verify_token(token, kind, TOKEN_KEY)

    assert set(_parts(token)[1]) == expected
    assert claims.type == kind
    if kind == "emailChange":
        assert claims.new_email == "n@b.c"


def test_issue_refuses_bad_input(service: TokenService) -> None:
    with pytest.raises(ValueError):
        service.issue_token("auth", "r", "c", TOKEN_KEY, 60, {"id": "someone-else"})
    with pytest.raises(ValueError):
        service.issue_token("emailChange", "r", "c", TOKEN_KEY, 60, {"email": "a@b.c"})
    with pytest.raises(ValueError):
        service.issue_token("auth", "r", "c", "", 60)
    with pytest.raises(ValueError):
        service.issue_token("auth", "r", "c", TOKEN_KEY, 0)
    with pytest.raises(ValueError):
        service.issue_token("admin", "r", "c", TOKEN_KEY, 60)  # type: ignore[arg-type]


def test_alg_none_token_is_rejected(service: TokenService) -> None:
    # Given a hand-made unsigned token claiming to be an auth token with a known kid
    header = {"alg": "none", "typ": "JWT", "kid": "default"}
    payload = {"id": "rec123", "type": "auth", "collectionId": "pbc_users", "refreshable": True,
               "exp": int(time.time()) + 3600}
    for token in (f"{_b64(header)}.{_b64(payload)}.", f"{_b64({**header, 'alg': 'None'})}.{_b64(payload)}."):
        # When it is verified, then it is refused before any key is chosen
        with pytest.raises(InvalidTokenError) as err:
            service.verify_token(token, "auth", TOKEN_KEY)
        assert err.value.reason == "unsupported_alg"
        assert err.value.status == 401


def test_rs256_token_is_rejected(service: TokenService) -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    payload = {"id": "rec123", "type": "auth", "collectionId": "pbc_users", "refreshable": True,
               "exp": int(time.time()) + 3600}
    token = jwt.encode(payload, private_key, algorithm="RS256", headers={"kid": "default"})

    with pytest.raises(InvalidTokenError) as err:
        service.verify_token(token, "auth", TOKEN_KEY)
    assert err.value.reason == "unsupported_alg"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_hs512_with_the_right_key_is_still_rejected(keyring: Keyring, service: TokenService) -> None:
    key = signing_key(keyring.active_secret(), "auth", TOKEN_KEY)
    payload = {"id": "rec123", "type": "auth", "collectionId": "pbc_users", "refreshable": True,
               "exp": int(time.time()) + 3600}
    token = jwt.encode(payload, key, algorithm="HS512", headers={"kid": "default"})

    with pytest.raises(InvalidTokenError) as err:
        service.verify_token(token, "auth", TOKEN_KEY)
    assert err.value.reason == "unsupported_alg"


def test_tampered_signature_and_payload_are_rejected(service: TokenService) -> None:
    token = service.issue_token("auth", "rec123", "pbc_users", TOKEN_KEY, 3600)
    head, body, sig = token.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    _, payload = _parts(token)
    forged_body = _b64({**payload, "id": "admin"})

    for forged in (f"{head}.{body}.{flipped}", f"{head}.{forged_body}.{sig}"):
        with pytest.raises(InvalidTokenError) as err:
            service.verify_token(forged, "auth", TOKEN_KEY)
        assert err.value.reason == "invalid_signature"


def test_expired_token_is_rejected(keyring: Keyring) -> None:
    # Given a token issued two hours ago that lived one hour
    past = TokenService(keyring, clock=lambda: time.time() - 7200)
    token = past.issue_token("auth", "rec123", "pbc_users", TOKEN_KEY, 3600)

    with pytest.raises(InvalidTokenError) as err:
        TokenService(keyring).verify_token(token, "auth", TOKEN_KEY)
    assert err.value.reason == "expired"


def test_token_of_another_type_is_rejected(keyring: Keyring, service: TokenService) -> None:
    # A verification token presented as a password reset token fails: the key is derived per type
    token = service.issue_token("verification", "rec123", "pbc_users", TOKEN_KEY, 600, {"email": "a@b.c"})
    with pytest.raises(InvalidTokenError):
        service.verify_token(token, "passwordReset", TOKEN_KEY)

    # and a token signed with the right key but claiming another type fails on the type check
    claims = {"id": "rec123", "type": "file", "collectionId": "pbc_users", "exp": int(time.time()) + 60}
    crafted = jwt.encode(claims, signing_key(keyring.active_secret(), "auth", TOKEN_KEY), algorithm="HS256",
                         headers={"kid": "default"})
    with pytest.raises(InvalidTokenError) as err:
        service.verify_token(crafted, "auth", TOKEN_KEY)
    assert err.value.reason == "wrong_type"


def test_kid_rotation_keeps_old_tokens_valid_until_the_old_key_is_removed() -> None:
    # Given a token signed under k1
    before = TokenService(parse_keyring(json.dumps({"active": "k1", "keys": {"k1": SECRET_A}})))
    old_token = before.issue_token("auth", "rec123", "pbc_users", TOKEN_KEY, 3600)

    # When k2 becomes active and k1 stays for verification
    during = TokenService(parse_keyring(json.dumps({"active": "k2", "keys": {"k1": SECRET_A, "k2": SECRET_B}})))
    new_token = during.issue_token("auth", "rec123", "pbc_users", TOKEN_KEY, 3600)

    # Then both verify, and new tokens name k2
    assert during.verify_token(old_token, "auth", TOKEN_KEY).kid == "k1"
    assert during.verify_token(new_token, "auth", TOKEN_KEY).kid == "k2"

    # And once k1 is retired its tokens are refused
    after = TokenService(parse_keyring(json.dumps({"active": "k2", "keys": {"k2": SECRET_B}})))
    with pytest.raises(InvalidTokenError) as err:
        after.verify_token(old_token, "auth", TOKEN_KEY)
    assert err.value.reason == "unknown_kid"
    assert after.verify_token(new_token, "auth", TOKEN_KEY).id == "rec123"


def test_token_without_kid_is_rejected(keyring: Keyring, service: TokenService) -> None:
    claims = {"id": "rec123", "type": "auth", "collectionId": "pbc_users", "refreshable": True,
              "exp": int(time.time()) + 60}
    token = jwt.encode(claims, signing_key(keyring.active_secret(), "auth", TOKEN_KEY), algorithm="HS256")

    with pytest.raises(InvalidTokenError) as err:
        service.verify_token(token, "auth", TOKEN_KEY)
    assert err.value.reason == "unknown_kid"


def test_changing_the_record_token_key_invalidates_its_tokens(service: TokenService) -> None:
    token = service.issue_token("auth", "rec123", "pbc_users", TOKEN_KEY, 3600)

    with pytest.raises(InvalidTokenError) as err:
        service.verify_token(token, "auth", "new-token-key-after-password-change")
    assert err.value.reason == "invalid_signature"


def test_peek_reads_claims_without_verifying(service: TokenService) -> None:
    token = service.issue_token("auth", "rec123", "pbc_users", TOKEN_KEY, 3600)

    claims = service.peek_claims(token)

    assert (claims.id, claims.collection_id, claims.kid) == ("rec123", "pbc_users", "default")
    for junk in ("", "not-a-jwt", "a.b.c", f"{_b64({'alg': 'HS256'})}.{_b64({'id': 'x'})}.sig"):
        with pytest.raises(InvalidTokenError):
            service.peek_claims(junk)


def test_default_durations_follow_pocketbase() -> None:
    durations = TokenDurations()
    assert default_duration("auth", durations) == 604800
    assert default_duration("passwordReset", durations) == 1800
    assert default_duration("file", durations) == 180
