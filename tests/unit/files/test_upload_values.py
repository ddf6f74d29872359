"""Upload values without the API: PocketBase's stored names, content sniffing, the file field's modifiers and
checks, and EXIF stripping."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from shared.collections.field_errors import FieldError
from shared.collections.fields import FileField
from shared.files.exif import strip_metadata
from shared.files.names import extract_extension, snakecase, stored_name
from shared.files.sniff import detect_mime, mime_allowed
from shared.files.uploaded import UploadedFile

PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.mark.parametrize(("original", "content", "pattern"), [
    ("My Report.pdf", b"%PDF-1.4", r"^my_report_[a-z0-9]{10}\.pdf$"),
    ("archive.tar.gz", b"x", r"^archive_[a-z0-9]{10}\.tar\.gz$"),
    ("CamelCase.TXT", b"x", r"^camel_case_[a-z0-9]{10}\.TXT$"),
    ("ab.txt", b"x", r"^ab[a-z0-9]{10}_[a-z0-9]{10}\.txt$"),
    ("picture", PNG_1PX, r"^picture_[a-z0-9]{10}\.png$"),
    ("x" * 150 + ".txt", b"x", r"^x{100}_[a-z0-9]{10}\.txt$"),
])
def test_stored_names_follow_pocketbase(original: str, content: bytes, pattern: str) -> None:
    # When a name is made for an upload, Then it is PocketBase's sanitized name, random part and extension
    assert re.match(pattern, stored_name(original, content))


def test_names_differ_for_the_same_upload() -> None:
    assert stored_name("a.txt", b"x") != stored_name("a.txt", b"x")


def test_snakecase_and_extensions_read_as_go_does() -> None:
    assert snakecase("über straße") == "ber_stra_e"
    assert snakecase("HTTPServer logs") == "httpserver_logs"
    assert extract_extension("a.b.c.d") == ".c.d"
    assert extract_extension("noext") == ""


@pytest.mark.parametrize(("content", "mime"), [
    (b"hello", "text/plain; charset=utf-8"),
    (b'{"a": 1}', "application/json"),
    (b"a,b\n1,2\n", "text/csv"),
    (b"<!DOCTYPE html><html></html>", "text/html; charset=utf-8"),
    (PNG_1PX, "image/png"),
    (b"%PDF-1.4", "application/pdf"),
    (bytes(range(256)), "application/octet-stream"),
])
def test_types_come_from_the_content(content: bytes, mime: str) -> None:
    # Then they match what PocketBase (gabriel-vasile/mimetype) serves for the same bytes
    assert detect_mime(content) == mime


def test_allowed_types_ignore_parameters_and_case() -> None:
    assert mime_allowed("text/plain; charset=utf-8", ["TEXT/PLAIN"])
    assert not mime_allowed("image/png", ["image/jpeg"])


def _upload(name: str, content: bytes) -> UploadedFile:
    return UploadedFile.from_upload(name, content)


def test_modifiers_keep_uploads_among_names() -> None:
    # Given a multi-file field holding two names
    field = FileField(name="docs", max_select=5)
    new = _upload("new.txt", b"n")
    # When an upload is appended, a name subtracted, and names with uploads normalised
    appended = field.appended(["a.txt", "b.txt"], [new])
    subtracted = field.subtracted(appended, "a.txt")
    # Then the upload stays an upload, in PocketBase's order
    assert appended == ["a.txt", "b.txt", new] and isinstance(appended[2], UploadedFile)
    assert subtracted == ["b.txt", new]
    assert FileField(name="one", max_select=1).normalize(["a.txt", new]) is new


def test_checks_report_pocketbase_codes() -> None:
    field = FileField(name="docs", max_select=2, max_size=3, mime_types=["text/plain"])
    with pytest.raises(FieldError) as too_big:
        field.validate([_upload("a.txt", b"abcd")], is_new=True)
    assert too_big.value.as_data()["code"] == "validation_file_size_limit"
    with pytest.raises(FieldError) as wrong_type:
        field.validate([_upload("a.png", PNG_1PX[:3] + b"")], is_new=True)
    assert wrong_type.value.as_data()["code"] == "validation_invalid_mime_type"
    with pytest.raises(FieldError) as too_many:
        field.validate(["a", "b", _upload("c.txt", b"c")], is_new=True)
    assert too_many.value.as_data()["code"] == "validation_too_many_files"
    # an upload is no "new plain name"; a made-up name is
    field.check_new_names([_upload("c.txt", b"c")], [])
    with pytest.raises(FieldError):
        field.check_new_names(["made_up.txt"], [])


def test_default_max_size_is_pocketbase_s_5_mb() -> None:
    field = FileField(name="docs")
    field.validate([_upload("a.bin", b"x" * (5 << 20))], is_new=True)
    with pytest.raises(FieldError):
        field.validate([_upload("a.bin", b"x" * ((5 << 20) + 1))], is_new=True)


def _jpeg(**tags: object) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[int(tag.removeprefix("t"), 16)] = value
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "blue").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_jpeg_metadata_goes_and_the_pixels_stay() -> None:
    # Given a JPEG with a camera make, a software tag and a rotation
    original = _jpeg(t010F="Cam", t0112=8, t0131="Editor")
    # When its metadata is stripped
    stripped = strip_metadata(original, "image/jpeg")
    # Then only the orientation remains and the scan data is byte-identical
    image = Image.open(io.BytesIO(stripped))
    assert dict(image.getexif()) == {0x0112: 8}
    assert stripped[stripped.index(b"\xff\xda"):] == original[original.index(b"\xff\xda"):]


def test_an_upright_jpeg_keeps_no_exif_at_all() -> None:
    stripped = strip_metadata(_jpeg(t010F="Cam", t0112=1), "image/jpeg")
    assert b"Exif\x00\x00" not in stripped
    assert dict(Image.open(io.BytesIO(stripped)).getexif()) == {}


def test_png_exif_is_dropped_and_a_broken_image_is_left_alone() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Cam"
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, "PNG", exif=exif.tobytes())
    stripped = strip_metadata(out.getvalue(), "image/png")
    assert b"eXIf" in out.getvalue() and b"eXIf" not in stripped
    assert Image.open(io.BytesIO(stripped)).size == (2, 2)
    assert strip_metadata(b"\xff\xd8garbage", "image/jpeg") == b"\xff\xd8garbage"
