"""The local stack's mailbox: one JSON file per message SES accepted, read back by `lambdabase mail`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from shared.mail.message import SentMail


def write(directory: Path, sent: SentMail) -> Path:
    """Store one sent message; the file name sorts by send time, the write is atomic (no half files)."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{sent.sent_at:017.6f}-{sent.message_id[:24]}.json".replace("/", "_")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        out.write(sent.model_dump_json())
    path = directory / name
    os.replace(tmp, path)
    # The messages hold live tokens: readable by the owner only, like the data folder's secrets.json.
    path.chmod(0o600)
    return path


def read(directory: Path) -> list[SentMail]:
    """Every stored message, oldest first."""
    if not directory.is_dir():
        return []
    found: list[SentMail] = []
    for path in sorted(directory.glob("*.json")):
        try:
            found.append(SentMail.model_validate(json.loads(path.read_text())))
        except (OSError, ValueError):
            continue  # a foreign or damaged file is skipped, never fatal to reading the rest
    return found


def clear(directory: Path) -> int:
    """Delete every stored message; returns how many there were."""
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    for path in paths:
        path.unlink(missing_ok=True)
    return len(paths)
