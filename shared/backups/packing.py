"""The create job's last task: the archive written as one zip by a multipart upload spread over job steps.

Each step writes the next members (staged table parts, then the files bucket's objects, as listed when packing
began) through zipfile into the upload, with their offsets in the whole archive, until its time budget is spent.
It then sends what it buffered as a part if it is big enough, else stages it as a tail that the next step sends
first, and stages its members' directory entries and parts. The step that writes the last member adds the
manifest and the central directory of every step's entries, and completes the upload: the archive appears
under its name only then, whole. A step run twice rewrites the same part numbers from the same offset.
"""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from shared import runtime_resources
from shared.backups import archive
from shared.backups.context import BackupContext
from shared.backups.multipart import MultipartUpload, SegmentStream
from shared.backups.status import ActiveJob

# The ZipInfo attributes the central directory is written from.
_ENTRY_FIELDS = ("filename", "date_time", "compress_type", "comment", "extra", "create_system", "create_version",
                 "extract_version", "reserved", "flag_bits", "volume", "internal_attr", "external_attr",
                 "header_offset", "CRC", "compress_size", "file_size")
_BYTES_FIELDS = ("comment", "extra")


def entry_json(info: zipfile.ZipInfo) -> dict[str, Any]:
    out = {name: getattr(info, name) for name in _ENTRY_FIELDS}
    for name in _BYTES_FIELDS:
        out[name] = base64.b64encode(out[name]).decode()
    return out


def entry_from_json(raw: dict[str, Any]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(raw["filename"], tuple(raw["date_time"]))
    for name in _ENTRY_FIELDS[2:]:
        value = raw[name]
        setattr(info, name, base64.b64decode(value) if name in _BYTES_FIELDS else value)
    return info


def _staging(job: ActiveJob) -> str:
    from shared.backups.create import staging

    return staging(job)


def list_members(ctx: BackupContext, job: ActiveJob) -> None:
    """Stage the list of members to pack: every staged table part, then every object of the files bucket."""
    prefix = _staging(job)
    members: list[dict[str, Any]] = [{"name": key[len(prefix):], "staged": key}
                                     for key in ctx.location.keys_under(prefix + archive.TABLES_DIR)]
    members += [{"name": archive.file_name(f.key), "file": f.key, "size": f.size,
                 "modified": f.modified.astimezone(UTC).timetuple()[:6]} for f in ctx.files.objects()]
    ctx.location.put(prefix + "members.json", json.dumps(members).encode(), content_type="application/json")


def _write_member(ctx: BackupContext, zf: zipfile.ZipFile, member: dict[str, Any]) -> bool:
    """Write one member; False when its file was deleted since it was listed."""
    if "staged" in member:
        zf.writestr(member["name"], ctx.location.read_all(member["staged"]))
        return True
    source = ctx.files.open(member["file"])
    if source is None:
        return False
    info = zipfile.ZipInfo(member["name"], date_time=tuple(member["modified"]))
    info.compress_type = zipfile.ZIP_STORED  # files are mostly compressed already
    info.file_size = member["size"]
    with zf.open(info, "w", force_zip64=member["size"] > 2**31) as out:
        while chunk := source.read(archive.COPY_CHUNK):
            out.write(chunk)
    return True


def _manifest(members: list[dict[str, Any]], files: int) -> str:
    tables: dict[str, list[str]] = {t.key: [] for t in runtime_resources.BACKED_UP_TABLES}
    for member in members:
        if "staged" in member:
            tables[member["name"].split("/")[1]].append(member["name"])
    return archive.Manifest(created=datetime.now(UTC).isoformat(), tables=tables, files=files).to_json()


def _segments(ctx: BackupContext, job: ActiveJob) -> list[dict[str, Any]]:
    prefix = _staging(job) + "segments/"
    return [json.loads(ctx.location.read_all(key)) for key in ctx.location.keys_under(prefix)]


def pack(ctx: BackupContext, job: ActiveJob, deadline: float) -> bool:
    """Write members from the cursor until the budget is spent; complete the archive after the last one."""
    cursor = job.cursor or {"upload_id": None, "next_part": 1, "offset": 0, "index": 0, "segment": 0,
                            "tail": False, "files": 0}
    prefix = _staging(job)
    members: list[dict[str, Any]] = json.loads(ctx.location.read_all(prefix + "members.json"))
    upload = ctx.location.upload(job.key, cursor["upload_id"], cursor["next_part"])
    if cursor["tail"]:
        upload.write(ctx.location.read_all(f"{prefix}tails/{cursor['segment'] - 1:05d}"))
    stream = SegmentStream(upload, cursor["offset"])
    index, files = cursor["index"], cursor["files"]
    zf = zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED)
    try:
        while index < len(members):
            written = _write_member(ctx, zf, members[index])
            files += written and "file" in members[index]
            index += 1
            if ctx.monotonic() >= deadline:
                break
        done = index >= len(members)
        if done:
            zf.writestr(archive.MANIFEST, _manifest(members, files))
        entries = [entry_json(info) for info in zf.filelist]
    except BaseException:
        zf.fp = None  # nothing of a failed step's directory goes into the archive
        raise
    zf.fp = None  # its central directory is written once, by the last step, from every step's entries
    if done:
        _complete(ctx, job, upload, stream, entries)
        return True
    tail = not upload.flush()
    if tail:
        ctx.location.put(f"{prefix}tails/{cursor['segment']:05d}", upload.drain(), content_type="application/zip")
    ctx.location.put(f"{prefix}segments/{cursor['segment']:05d}", json.dumps(
        {"entries": entries, "parts": upload.sent}).encode(), content_type="application/json")
    job.cursor = {"upload_id": upload.upload_id, "next_part": upload.next_part, "offset": stream.offset,
                  "index": index, "segment": cursor["segment"] + 1, "tail": tail, "files": files}
    job.counts["files"] = files
    return False


def _complete(ctx: BackupContext, job: ActiveJob, upload: MultipartUpload, stream: SegmentStream,
              entries: list[dict[str, Any]]) -> None:
    earlier = _segments(ctx, job)
    directory = zipfile.ZipFile(stream, "w")
    directory.filelist = [entry_from_json(e) for segment in earlier for e in segment["entries"]] + \
        [entry_from_json(e) for e in entries]
    directory.close()  # writes the central directory and its end records at the stream's offset
    try:
        upload.complete([part for segment in earlier for part in segment["parts"]])
    except BaseException:
        upload.abort()
        raise
