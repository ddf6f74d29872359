"""OpenID Connect `id_token` verification: the issuer's JWKS (cached, refetched for an unknown `kid`), RS256 or
ES256 only, each pinned to its key type, then `iss`, `aud`, `exp`, `iat` and `nonce` (OIDC Core 3.1.3.7)."""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
import msgspec

from shared.accounts.oauth2.outbound import Outbound, OutboundError
from shared.accounts.oauth2.provider import ProviderError

# The only algorithms accepted, each with the key type it needs: never `none`, never an HMAC (which would let a
# public key serve as a shared secret), and never an algorithm the token picks for a key of another type.
ALGORITHMS = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}
LEEWAY_S = 300  # PocketBase's idTokenLeeway (5 minutes) for clock skew
JWKS_TTL_S = 3600


class _CachedSet(msgspec.Struct):
    keys: dict[str, dict[str, Any]]
    fetched: float
    # kids a refetch did not find: asked for again, they are refused without another fetch until the TTL ends
    missing: set[str] = msgspec.field(default_factory=set)


_cache: dict[str, _CachedSet] = {}
_lock = threading.Lock()


def _fetch(outbound: Outbound, jwks_url: str) -> _CachedSet:
    try:
        data = outbound.get_json(jwks_url)
    except OutboundError as exc:
        raise ProviderError(f"JWKS request failed: {exc}") from exc
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list):
        raise ProviderError("the JWKS answer has no keys")
    by_kid = {str(k.get("kid", "")): k for k in keys if isinstance(k, dict)}
    entry = _CachedSet(by_kid, time.monotonic())
    with _lock:
        _cache[jwks_url] = entry
    return entry


def signing_key(outbound: Outbound, jwks_url: str, kid: str) -> dict[str, Any]:
    """The JWK named `kid`: from the cache, else from a fresh copy of the set (the issuer rotated its keys)."""
    with _lock:
        entry = _cache.get(jwks_url)
    now = time.monotonic()
    if entry is None or now - entry.fetched > JWKS_TTL_S:
        entry = _fetch(outbound, jwks_url)
    if kid not in entry.keys and kid not in entry.missing:
        missing = entry.missing
        entry = _fetch(outbound, jwks_url)  # the issuer rotated its keys since the set was cached
        entry.missing = missing
    key = entry.keys.get(kid)
    if key is None:
        entry.missing.add(kid)
        raise ProviderError("the id_token is signed with a key the issuer does not publish")
    return key


def verify_id_token(outbound: Outbound, id_token: str, jwks_url: str, *, audience: str, issuers: list[str],
                    nonce: str | None) -> dict[str, Any]:
    """The claims of a valid id_token; ProviderError for anything else."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise ProviderError(f"malformed id_token: {exc}") from exc
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise ProviderError(f"id_token algorithm {alg!r} is not accepted")
    jwk = signing_key(outbound, jwks_url, str(header.get("kid", "")))
    kty, crv = ALGORITHMS[alg]
    # The key decides the algorithm, not the token: an RSA key verifies RS256 only, a P-256 key ES256 only.
    if jwk.get("kty") != kty or (crv and jwk.get("crv") != crv) or jwk.get("alg", alg) != alg \
            or jwk.get("use", "sig") != "sig":
        raise ProviderError("the id_token's algorithm does not match its key")
    try:
        key = jwt.PyJWK(jwk, algorithm=alg).key
        claims: dict[str, Any] = jwt.decode(
            id_token, key, algorithms=[alg], audience=audience, leeway=LEEWAY_S,
            options={"require": ["exp", "iat", "iss", "sub", "aud"]})
    except jwt.PyJWTError as exc:
        raise ProviderError(f"id_token rejected: {exc}") from exc
    if issuers and claims.get("iss") not in issuers:
        raise ProviderError(f"id_token issuer {claims.get('iss')!r} is not the configured one")
    # A nonce ties the token to this flow: one minted for another sign-in (a replayed or injected token) fails.
    # A token with none answers an authorization request that sent none (an app that built its own URL, as
    # PocketBase allows); PKCE still binds its code to this flow's verifier, so it is accepted.
    if nonce is not None and "nonce" in claims and claims["nonce"] != nonce:
        raise ProviderError("id_token nonce does not match the flow")
    return claims
