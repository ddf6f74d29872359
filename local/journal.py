"""The write journal of the local stack: every committed DynamoDB write appended to the data folder as it commits.

A snapshot alone loses what was written since it was taken when the process is killed (`kill -9`, a crash, a
closed laptop lid that never wakes). Every write that moto commits is therefore also appended here, as the
resulting state of each item it touched (the whole item, or null when deleted), one JSON line per write
operation, a transaction's items together on one line. The line is handed to the kernel with one os.write before
the write's caller gets its answer, so a request that was acknowledged survives the death of the process;
LB_JOURNAL_FSYNC=1 also syncs it to the disk, for power loss.

Restore order: the snapshot, then the rotated journal, then the current one. Each line holds absolute item
states in commit order, so replaying a line that the snapshot already holds changes nothing. A snapshot rotates
the journal under the write lock before it scans (whatever it misses is in the new journal) and drops the
rotated part once written. A torn last line (the process died inside os.write) is ignored: its write was never
acknowledged.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from local import moto_patches, snapshot
from local.snapshot import FILE_MODE, private_dir
from shared.aws import client
from shared.observability import logger

CURRENT = "journal.jsonl"
ROTATED = "journal.rotated.jsonl"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):  # binary attributes, kept apart from strings
        return {"$b64": base64.b64encode(value).decode()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$b64" in obj:
        return base64.b64decode(obj["$b64"])
    return obj


class Journal:
    """Appends each committed write while open; `rotate` and `discard_rotated` bracket a snapshot."""

    def __init__(self, data_dir: Path, *, fsync: bool = False) -> None:
        self.data_dir = data_dir
        self.fsync = fsync
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        return self.data_dir / CURRENT

    @property
    def rotated_path(self) -> Path:
        return self.data_dir / ROTATED

    def open(self) -> Journal:
        private_dir(self.data_dir)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        os.chmod(self.path, FILE_MODE)
        moto_patches.add_write_observer(self.record)
        return self

    def close(self) -> None:
        moto_patches.remove_write_observer(self.record)
        with moto_patches.WRITE_LOCK:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def record(self, backend: Any, touched: list[tuple[str, dict[str, Any]]]) -> None:
        """The write observer: runs under moto's write lock, after the write committed, before it is answered."""
        if self._fd is None:
            return
        entries = []
        for table_name, key in touched:
            item = backend.get_item(table_name, key)
            entries.append([table_name, key, item.to_json()["Attributes"] if item is not None else None])
        line = json.dumps({"w": entries}, default=_encode, separators=(",", ":")) + "\n"
        os.write(self._fd, line.encode())
        if self.fsync:
            os.fsync(self._fd)

    def rotate(self) -> None:
        """Start a new journal; what the old one holds stays until `discard_rotated` (a snapshot holds it)."""
        with moto_patches.WRITE_LOCK:
            if self._fd is not None:
                os.close(self._fd)
            if self.path.exists():
                if self.rotated_path.exists():  # the previous snapshot failed: keep both parts, in order
                    with open(self.rotated_path, "ab") as out:
                        out.write(self.path.read_bytes())
                    self.path.unlink()
                else:
                    os.replace(self.path, self.rotated_path)
            if self._fd is not None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)

    def discard_rotated(self) -> None:
        self.rotated_path.unlink(missing_ok=True)


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for number, raw in enumerate(path.read_bytes().splitlines(), 1):
        try:
            out.append(json.loads(raw, object_hook=_decode))
        except ValueError:
            logger.warning("journal line ignored (torn write)", extra={"path": str(path), "line": number})
    return out


def replay(data_dir: Path) -> int:
    """Apply the journals (rotated, then current) over the restored snapshot; returns the writes replayed."""
    ddb = client("dynamodb")
    replayed = 0
    for path in (data_dir / ROTATED, data_dir / CURRENT):
        for line in _lines(path):
            for table_name, key, item in line["w"]:
                if item is None:
                    ddb.delete_item(TableName=table_name, Key=key)
                else:
                    ddb.put_item(TableName=table_name, Item=item)
            replayed += 1
    if replayed:
        logger.info("journal replayed", extra={"writes": replayed, "data_dir": str(data_dir)})
    return replayed


def pending(data_dir: Path) -> bool:
    """Whether a journal holds writes that the snapshot may not."""
    return any((data_dir / name).exists() and (data_dir / name).stat().st_size for name in (ROTATED, CURRENT))


def recover(data_dir: Path) -> int:
    """After a snapshot restore: replay what the journals hold, then fold it into a new snapshot and drop them."""
    if not pending(data_dir):
        return 0
    replayed = replay(data_dir)
    snapshot.save(data_dir)  # a crash before the unlinks only replays the same absolute states again
    for name in (ROTATED, CURRENT):
        (data_dir / name).unlink(missing_ok=True)
    return replayed
