"""Upload slots: what a direct upload may become, sealed in a signed token the client hands back on attach.

A slot names one file field of one collection, the record it is for ("" for a record to be created), who asked
for it (the auth record, "" for a guest), the original filename, the staging key under `uploads/`, the size
limit it was issued with and, for S3 multipart, the upload id and part count. The token is `upload:<JWT>`,
HS256 with the deployment's auth keyring (the key derived for this one purpose), so nothing is stored per slot:
no write to issue one, nothing to expire but the object itself (the `uploads/` lifecycle rule). The `exp` claim is the
attach deadline, well inside the lifecycle rule's day.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable

import jwt
import msgspec

from shared.auth.keyring import Keyring
from shared.auth.tokens import ALGORITHM, signing_key
from shared.files import keys

TOKEN_PREFIX = "upload:"
_PURPOSE = "uploadSlot"
_SLOT_ID_BYTES = 16
_KEY_NAME_INVALID = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_KEY_NAME = 100

Clock = Callable[[], float]


class InvalidSlotError(Exception):
    """A token that is no slot of this deployment: malformed, forged or signed with a retired key."""


class ExpiredSlotError(InvalidSlotError):
    """A genuine slot whose attach deadline has passed."""


class UploadSlot(msgspec.Struct, frozen=True):
    slot_id: str
    collection_id: str
    field_id: str
    record_id: str
    owner: str
    filename: str
    max_size: int
    expires: int
    upload_id: str = ""
    # multipart: how many parts the declared size makes, the only part numbers URLs are presigned for
    part_count: int = 0

    @property
    def key(self) -> str:
        """The staging object: `uploads/<slotId>/<filename, made key-safe>`."""
        name = _KEY_NAME_INVALID.sub("_", self.filename)[-_MAX_KEY_NAME:].strip("._") or "file"
        return keys.upload_key(self.slot_id, name)


def new_slot_id() -> str:
    return secrets.token_hex(_SLOT_ID_BYTES)


def owner_of(collection_id: str | None, record_id: str | None) -> str:
    """Who a slot belongs to: `<collectionId>/<recordId>` of an auth record, "" for a guest."""
    return f"{collection_id}/{record_id}" if collection_id and record_id else ""


def is_slot_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


class SlotSigner:
    """Seals and opens slot tokens with the keyring's active key (older keys still open theirs)."""

    def __init__(self, keyring: Keyring, clock: Clock | None = None) -> None:
        self._keyring = keyring
        self._clock = clock

    def seal(self, slot: UploadSlot) -> str:
        claims = {"type": _PURPOSE, "sid": slot.slot_id, "col": slot.collection_id, "fld": slot.field_id,
                  "rec": slot.record_id, "own": slot.owner, "name": slot.filename, "max": slot.max_size,
                  "uid": slot.upload_id, "pc": slot.part_count, "exp": slot.expires}
        key = signing_key(self._keyring.active_secret(), _PURPOSE, "")
        return TOKEN_PREFIX + jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": self._keyring.active})

    def open(self, token: str) -> UploadSlot:
        """The slot a token seals; ExpiredSlotError past its deadline, InvalidSlotError for anything else."""
        raw = token.removeprefix(TOKEN_PREFIX)
        try:
            header = jwt.get_unverified_header(raw)
        except jwt.PyJWTError as exc:
            raise InvalidSlotError("malformed") from exc
        kid = header.get("kid")
        # the algorithm is pinned before any key is chosen: no "none", no RS/HS confusion
        secret = self._keyring.secret(kid) if isinstance(kid, str) and header.get("alg") == ALGORITHM else None
        if secret is None:
            raise InvalidSlotError("unknown key")
        try:
            claims = jwt.decode(raw, signing_key(secret, _PURPOSE, ""), algorithms=[ALGORITHM],
                                options={"require": ["exp", "sid", "col", "fld"], "verify_exp": False})
        except jwt.PyJWTError as exc:
            raise InvalidSlotError("invalid") from exc
        try:
            slot = UploadSlot(slot_id=str(claims["sid"]), collection_id=str(claims["col"]),
                              field_id=str(claims["fld"]), record_id=str(claims.get("rec", "")),
                              owner=str(claims.get("own", "")), filename=str(claims.get("name", "")),
                              max_size=int(claims.get("max", 0)), expires=int(claims["exp"]),
                              upload_id=str(claims.get("uid", "")), part_count=int(claims.get("pc", 0)))
        except (TypeError, ValueError) as exc:
            raise InvalidSlotError("malformed claims") from exc
        if claims.get("type") != _PURPOSE:
            raise InvalidSlotError("wrong type")
        if slot.expires <= (self._clock or time.time)():
            raise ExpiredSlotError("expired")
        return slot


def process_signer() -> SlotSigner:
    """The signer over the deployment's auth keyring, loaded on first use (a Secrets Manager read, cached)."""
    from shared import settings
    from shared.auth.keyring import load_keyring
    from shared.auth.settings import AuthSecret

    return SlotSigner(load_keyring(settings.load(AuthSecret)))
