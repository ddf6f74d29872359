"""moto's slow paths outside DynamoDB, replaced with the same behaviour done faster.

- EventBridge's JSONPath expressions are compiled once: moto builds a new parser (a PLY yacc table) for each path
  of each target of each event put, most of a PutEvents call's time.
- A KMS key's RSA key pair is generated when first used: moto made one (2048 bits, about 55 ms) for every key,
  symmetric ones included, which only sign and verify could use; the stack's four keys were most of the
  resources' creation time at every start.

Installed by `local.moto_speed.install()`.
"""

from __future__ import annotations

from typing import Any


def compiled_event_paths() -> None:
    """Compile each of EventBridge's JSONPath expressions once (moto imports `parse` on every event)."""
    import functools

    import jsonpath_ng.ext

    if not hasattr(jsonpath_ng.ext.parse, "cache_info"):
        # a compiled expression is only read by find(), so one copy serves every event
        jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)


class _KeyPairOnFirstUse:
    """Stands for moto's private key of a KMS key (moto.kms.utils): built on the first use of any attribute."""

    def __init__(self, generate: Any, key_spec: str) -> None:
        self._generate, self._key_spec, self._key = generate, key_spec, None

    def __getattr__(self, name: str) -> Any:
        if self._key is None:
            self._key = self._generate(self._key_spec)
        return getattr(self._key, name)


def key_pairs_on_first_use() -> None:
    """Generate a KMS key's key pair when sign, verify or GetPublicKey first needs it, not when the key is made."""
    import moto.kms.models as kms_models

    generate = kms_models.generate_private_key
    kms_models.generate_private_key = lambda key_spec: _KeyPairOnFirstUse(generate, key_spec)  # type: ignore


def install() -> None:
    """Apply both patches."""
    compiled_event_paths()
    key_pairs_on_first_use()
