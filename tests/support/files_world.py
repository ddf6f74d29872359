"""Record files for serving tests until uploads land: objects put in the files bucket, names set on the record.

Writes what an upload leaves behind (the original under its key, the stored name in the field's value) through the
public storage and repository interfaces, on whichever moto the process is configured for.
"""

from __future__ import annotations

import io

from shared import resources
from shared.catalog.repository import get_collection_repository
from shared.files import keys
from shared.files.storage import S3FileStorage
from shared.records.model import ReadMeter, RecordWrite
from shared.records.repository import get_record_repository


def image(fmt: str, width: int, height: int, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """An image of this size, with a gradient so that crops and anchors are visible."""
    from PIL import Image

    picture = Image.new("RGB", (width, height), color)
    for y in range(height):
        for x in range(0, width, max(1, width // 8)):
            picture.putpixel((x, y), (x * 255 // max(1, width), y * 255 // max(1, height), 90))
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def files_storage() -> S3FileStorage:
    return S3FileStorage(resources.FILES_BUCKET.physical_name)


def attach(collection: str, record_id: str, field: str, files: dict[str, tuple[bytes, str]]) -> str:
    """Store `files` (name -> bytes, content type) and add them to the record's `field`; returns the collection id."""
    stored = get_collection_repository(resources.SYSTEM_TABLE.physical_name).get(collection)
    target = stored.collection.field_by_name(field)
    assert target is not None
    storage = files_storage()
    for name, (body, content_type) in files.items():
        storage.put(keys.original_key(stored.collection.id, record_id, name), body, content_type)
    records = get_record_repository(resources.RECORDS_TABLE.physical_name, resources.SYSTEM_TABLE.physical_name)
    record = records.get(stored.collection.id, record_id, ReadMeter())
    assert record is not None
    if getattr(target, "max_select", 1) > 1:
        kept = [n for n in target.values_of(record.data.get(target.id)) if n not in files]  # type: ignore[attr-defined]
        value: object = [*kept, *files]
    else:
        value = next(iter(files))
    records.write([RecordWrite("update", record, changed={target.id: value})])
    return stored.collection.id
