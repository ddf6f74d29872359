"""The archive format, and the checks that tell a Lambdabase backup from a corrupt or foreign zip.

A backup is one zip:
- `lambdabase-backup.json`: `{"format": "lambdabase-backup", "version": 1, "created": ..., "tables":
  {"records": ["tables/records/00000.jsonl", ...], "system": [...]}, "files": <count>}`;
- `tables/<table key>/<part>.jsonl`: one item a line, in DynamoDB's JSON (`{"pk": {"S": ...}, ...}`), so every
  type round-trips exactly;
- `files/<object key>`: each object of the files bucket.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from typing import IO, Any

import msgspec

from shared import runtime_resources

MANIFEST = "lambdabase-backup.json"
FORMAT = "lambdabase-backup"
VERSION = 1
TABLES_DIR = "tables/"
FILES_DIR = "files/"
COPY_CHUNK = 1024 * 1024


class InvalidArchiveError(Exception):
    """Not an archive this deployment can restore: corrupt, foreign, or of an unknown version."""


class Manifest(msgspec.Struct, frozen=True):
    created: str
    tables: dict[str, list[str]]
    files: int

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION, "created": self.created, "tables": self.tables,
                           "files": self.files}, sort_keys=True)


def part_name(table_key: str, number: int) -> str:
    return f"{TABLES_DIR}{table_key}/{number:05d}.jsonl"


def file_name(object_key: str) -> str:
    return f"{FILES_DIR}{object_key}"


def parse_items(text: bytes) -> Iterator[dict[str, Any]]:
    """The items of a table part; InvalidArchiveError on a line that is no keyed DynamoDB item."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise InvalidArchiveError(f"line {number} is not JSON") from exc
        if not isinstance(item, dict) or not isinstance(item.get("pk"), dict) or \
                not isinstance(item["pk"].get("S"), str) or not isinstance(item.get("sk"), dict) or \
                not isinstance(item["sk"].get("S"), str):
            raise InvalidArchiveError(f"line {number} is not an item with string pk and sk")
        yield item


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    """The archive's manifest, checked against its members; InvalidArchiveError for anything else."""
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise InvalidArchiveError("no manifest: not a Lambdabase backup")
    try:
        raw = json.loads(archive.read(MANIFEST))
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise InvalidArchiveError("unreadable manifest") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InvalidArchiveError("not a Lambdabase backup")
    if raw.get("version") != VERSION:
        raise InvalidArchiveError(f"unknown backup version {raw.get('version')!r}")
    tables, files = raw.get("tables"), raw.get("files")
    known = {t.key for t in runtime_resources.BACKED_UP_TABLES}
    if not isinstance(tables, dict) or set(tables) != known or not isinstance(files, int):
        raise InvalidArchiveError("the manifest does not describe this deployment's tables")
    for key, parts in tables.items():
        if not isinstance(parts, list) or any(not isinstance(p, str) or p not in names or
                                              not p.startswith(f"{TABLES_DIR}{key}/") for p in parts):
            raise InvalidArchiveError(f"table {key}: a part is missing")
    stray = {n for n in names if n != MANIFEST and not n.startswith(FILES_DIR)} - \
        {p for parts in tables.values() for p in parts}
    if stray:
        raise InvalidArchiveError(f"unexpected member {sorted(stray)[0]!r}")
    if sum(1 for n in names if n.startswith(FILES_DIR)) != files:
        raise InvalidArchiveError("the manifest's file count does not match the archive")
    return Manifest(created=str(raw.get("created", "")), tables={k: list(v) for k, v in tables.items()},
                    files=files)


def open_archive(stream: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidArchiveError("not a zip archive") from exc


def check_member(archive: zipfile.ZipFile, name: str) -> None:
    """Read one member to its end, so zipfile checks its CRC; a table part's every line is parsed too."""
    try:
        if name.startswith(TABLES_DIR):
            for _ in parse_items(archive.read(name)):
                pass
            return
        with archive.open(name) as member:
            while member.read(COPY_CHUNK):
                pass
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidArchiveError(f"{name}: corrupt") from exc


def members_to_check(archive: zipfile.ZipFile, manifest: Manifest, *, with_files: bool) -> list[str]:
    """Table parts first, then (when `with_files`) every file, in name order."""
    parts = [part for table_parts in manifest.tables.values() for part in table_parts]
    files = sorted(n for n in archive.namelist() if n.startswith(FILES_DIR)) if with_files else []
    return parts + files


def table_bytes(archive: zipfile.ZipFile, manifest: Manifest) -> int:
    """The uncompressed size of every table part."""
    parts = {part for table_parts in manifest.tables.values() for part in table_parts}
    return sum(info.file_size for info in archive.infolist() if info.filename in parts)


def validate(stream: IO[bytes], *, with_files: bool, max_table_bytes: int | None = None) -> Manifest:
    """Check an archive and return its manifest: its structure, its table parts unless they exceed
    `max_table_bytes` (left to the restore's verify task), and its files' contents too when `with_files`."""
    with open_archive(stream) as archive:
        manifest = read_manifest(archive)
        names = members_to_check(archive, manifest, with_files=with_files)
        if max_table_bytes is not None and table_bytes(archive, manifest) > max_table_bytes:
            names = [n for n in names if not n.startswith(TABLES_DIR)]
        for name in names:
            check_member(archive, name)
        return manifest
