"""Strip EXIF from uploaded JPEG and PNG images, keeping only the orientation, without re-encoding pixels.

Why the orientation tag is kept rather than applied: applying it means decoding and re-encoding the image (a
lossy second JPEG compression, and a new file size that may cross maxSize); keeping the one tag is a lossless
byte-level edit, and viewers and the thumbnailer (ImageOps.exif_transpose) still rotate the image upright.
GPS, camera, timestamps and XMP packets go. Other formats (WebP, HEIC, TIFF) are stored as uploaded.
"""

from __future__ import annotations

import struct
import zlib

ORIENTATION_TAG = 0x0112
_EXIF_HEADER = b"Exif\x00\x00"
_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that carry EXIF or XMP metadata
_PNG_METADATA_CHUNKS = (b"eXIf", b"iTXt", b"tEXt", b"zTXt")


def strip_metadata(content: bytes, mime: str) -> bytes:
    """The image without its metadata; anything unparsable is returned unchanged (PocketBase stores it as is)."""
    try:
        if mime == "image/jpeg":
            return _strip_jpeg(content)
        if mime == "image/png":
            return _strip_png(content)
    except (ValueError, struct.error, IndexError):
        return content
    return content


def _orientation_segment(exif_payload: bytes) -> bytes:
    from PIL import Image  # only uploads of images pay for Pillow's import

    exif = Image.Exif()
    exif.load(exif_payload)
    orientation = exif.get(ORIENTATION_TAG)
    if not isinstance(orientation, int) or orientation == 1:
        return b""
    kept = Image.Exif()
    kept[ORIENTATION_TAG] = orientation
    payload = _EXIF_HEADER + kept.tobytes()
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _strip_jpeg(content: bytes) -> bytes:
    if not content.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    out = [b"\xff\xd8"]
    pos = 2
    while pos < len(content):
        if content[pos] != 0xFF:
            raise ValueError("bad marker")
        marker = content[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan: the rest is image data
            out.append(content[pos:])
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(content[pos:pos + 2])
            pos += 2
            continue
        (length,) = struct.unpack(">H", content[pos + 2:pos + 4])
        segment = content[pos:pos + 2 + length]
        payload = segment[4:]
        if marker == 0xE1 and payload.startswith(_EXIF_HEADER):
            out.append(_orientation_segment(payload[len(_EXIF_HEADER):]))
        elif not (marker == 0xE1 and payload.startswith(_XMP_HEADER)):
            out.append(segment)
        pos += 2 + length
    return b"".join(out)


def _strip_png(content: bytes) -> bytes:
    if not content.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while pos < len(content):
        (length,) = struct.unpack(">I", content[pos:pos + 4])
        kind = content[pos + 4:pos + 8]
        chunk = content[pos:pos + 12 + length]
        if kind == b"eXIf":
            out.append(_png_orientation_chunk(content[pos + 8:pos + 8 + length]))
        elif kind not in _PNG_METADATA_CHUNKS:
            out.append(chunk)
        pos += 12 + length
        if kind == b"IEND":
            break
    return b"".join(out)


def _png_orientation_chunk(exif_payload: bytes) -> bytes:
    segment = _orientation_segment(exif_payload)
    if not segment:
        return b""
    data = segment[4 + len(_EXIF_HEADER):]
    return struct.pack(">I", len(data)) + b"eXIf" + data + struct.pack(">I", zlib.crc32(b"eXIf" + data))
