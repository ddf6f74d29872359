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


def create_keys(data_dir: Path | None, account_id: str, region: str) -> dict[str, str]:
    """Create each declared key, restoring its id and material from the data folder; returns key -> ARN.

    moto makes a new random key each start, and a ciphertext names its key by id, so the local equivalent of a
    KMS key that outlives its stack is this: the same id and the same 256-bit material, kept 0600 with the
    data (as the auth secret is), restored into moto's backend.
    """
    store = data_dir / "kms_keys.json" if data_dir else None
    saved: dict[str, dict[str, str]] = json.loads(store.read_text()) if store and store.exists() else {}
    backend = _backend(account_id, region)
    arns: dict[str, str] = {}
    for definition in resources.KEYS:
        known = saved.get(definition.key)
        if known and known["id"] in backend.keys:
            key = backend.keys[known["id"]]
        else:
            meta = client("kms").create_key(Description=definition.description, KeyUsage="ENCRYPT_DECRYPT")
            key = backend.keys[meta["KeyMetadata"]["KeyId"]]
            if known:
                # moto keeps no other index of a key's id than this dict and the key's own fields.
                del backend.keys[key.id]
                key.id = known["id"]
                key.arn = key.arn.rsplit("/", 1)[0] + "/" + key.id
                key.key_material = base64.b64decode(known["material"])
                backend.keys[key.id] = key
        saved[definition.key] = {"id": key.id, "material": base64.b64encode(key.key_material).decode()}
        arns[definition.key] = key.arn
    if store:
        from local.snapshot import private_dir

        private_dir(store.parent)
        fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(saved))
        store.chmod(0o600)
    return arns
