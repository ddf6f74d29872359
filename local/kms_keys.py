"""The local stack's KMS keys on moto, kept across restarts so that secrets encrypted yesterday decrypt today."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from shared import resources
from shared.aws import client


def _backend(account_id: str, region: str) -> Any:
    from moto.kms.models import kms_backends

    return kms_backends[account_id][region]


def _describe(kms: Any, key_id: str) -> str | None:
    """The ARN of this key in the stack's moto, or None when moto has no such key."""
    try:
        return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])
    except kms.exceptions.NotFoundException:
        return None


def create_keys(data_dir: Path | None, account_id: str, region: str) -> dict[str, str]:
    """Create each declared key, restoring its id and material from the data folder; returns key -> ARN.

    moto makes a new random key each start, and a ciphertext names its key by id, so the local equivalent of a
    KMS key that outlives its stack is this: the same id and the same 256-bit material, kept 0600 with the
    data (as the auth secret is), restored into moto's backend.
    """
    store = data_dir / "kms_keys.json" if data_dir else None
    saved: dict[str, dict[str, str]] = json.loads(store.read_text()) if store and store.exists() else {}
    kms = client("kms")
    arns: dict[str, str] = {}
    changed = False
    for definition in resources.KEYS:
        known = saved.get(definition.key)
        existing = _describe(kms, known["id"]) if known else None
        if existing is not None:
            # The stack's moto has it already: this process restored it, or it attaches to a running stack
            # (`lambdabase superuser ...`), whose moto is another process's.
            arns[definition.key] = existing
            continue
        meta = kms.create_key(Description=definition.description, KeyUsage="ENCRYPT_DECRYPT")
        key = _backend(account_id, region).keys[meta["KeyMetadata"]["KeyId"]]
        if known:
            # moto keeps no other index of a key's id than this dict and the key's own fields.
            backend = _backend(account_id, region)
            del backend.keys[key.id]
            key.id = known["id"]
            key.arn = key.arn.rsplit("/", 1)[0] + "/" + key.id
            key.key_material = base64.b64decode(known["material"])
            backend.keys[key.id] = key
        saved[definition.key] = {"id": key.id, "material": base64.b64encode(key.key_material).decode()}
        arns[definition.key] = key.arn
        changed = True
    if store and changed:
        from local.snapshot import private_dir

        private_dir(store.parent)
        fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(saved))
        store.chmod(0o600)
    return arns
