"""Thumb sizes and geometry as PocketBase's imaging calls make them: Fill, Fit (never enlarging) and Resize."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shared.files.thumbs import (
    ThumbRenderError,
    has_thumbs,
    parse_thumb_size,
    render_thumb,
    requested_thumb,
)
from tests.support.files_world import image


@pytest.mark.parametrize(("size", "mode", "anchor"), [
    ("50x30", "fill", "center"), ("50x30t", "fill", "top"), ("50x30b", "fill", "bottom"), ("50x30f", "fit", "center"),
    ("0x20", "resize", "center"), ("20x0", "resize", "center"),
])
def test_pocketbases_formats_parse(size: str, mode: str, anchor: str) -> None:
    spec = parse_thumb_size(size)
    assert spec is not None and (spec.mode, spec.anchor) == (mode, anchor)


@pytest.mark.parametrize("size", ["0x0", "0x0f", "abc", "50x", "x30", "50x30z", " 50x30", "-5x5"])
def test_anything_else_is_no_thumb(size: str) -> None:
    assert parse_thumb_size(size) is None


def test_only_the_fields_sizes_and_the_default_are_served() -> None:
    assert requested_thumb("100x100", []) is not None
    assert requested_thumb("50x30", ["50x30"]) is not None
    assert requested_thumb("50x30", ["60x30"]) is None
    assert requested_thumb("", ["50x30"]) is None


def test_only_pocketbases_image_types_get_thumbs() -> None:
    assert all(has_thumbs(t) for t in ("image/png", "image/jpeg", "image/gif", "image/webp"))
    assert not any(has_thumbs(t) for t in ("image/svg+xml", "image/bmp", "text/plain", ""))


@pytest.mark.parametrize(("size", "source", "expected"), [
    ("50x30", (200, 100), (50, 30)),
    ("400x400f", (200, 100), (200, 100)),  # Fit never enlarges
    ("50x30f", (200, 100), (50, 25)),
    ("50x30f", (300, 199), (45, 30)),  # truncated as imaging's int(): 30 * 1.5075 = 45.2
    ("0x20", (200, 100), (40, 20)),
    ("20x0", (200, 100), (20, 10)),
    ("0x3", (200, 100), (6, 3)),
    ("1x0", (200, 100), (1, 1)),  # at least one pixel
    ("300x300", (200, 100), (300, 300)),  # Fill enlarges
])
def test_geometry(size: str, source: tuple[int, int], expected: tuple[int, int]) -> None:
    spec = parse_thumb_size(size)
    assert spec is not None
    assert spec.dimensions(*source) == expected


def test_rendering_keeps_jpeg_and_turns_webp_into_png() -> None:
    spec = parse_thumb_size("50x30")
    assert spec is not None
    jpeg = render_thumb(image("JPEG", 200, 100), "image/jpeg", spec)
    webp = render_thumb(image("WEBP", 200, 100), "image/webp", spec)
    assert jpeg.content_type == "image/jpeg" and Image.open(io.BytesIO(jpeg.body)).format == "JPEG"
    assert webp.content_type == "image/png" and Image.open(io.BytesIO(webp.body)).size == (50, 30)


def test_top_and_bottom_anchors_keep_different_ends() -> None:
    # Given a tall image, black on top and white below
    tall = Image.new("L", (10, 100), 255)
    tall.paste(0, (0, 0, 10, 50))
    out = io.BytesIO()
    tall.save(out, "PNG")
    top, bottom = (parse_thumb_size(s) for s in ("10x10t", "10x10b"))
    assert top is not None and bottom is not None
    # When cropped to a square from the top and from the bottom / Then the top keeps black, the bottom white
    top_pixel = Image.open(io.BytesIO(render_thumb(out.getvalue(), "image/png", top).body)).getpixel((5, 5))
    bottom_pixel = Image.open(io.BytesIO(render_thumb(out.getvalue(), "image/png", bottom).body)).getpixel((5, 5))
    assert top_pixel == 0 and bottom_pixel == 255


def test_undecodable_bytes_raise_a_render_error() -> None:
    spec = parse_thumb_size("50x30")
    assert spec is not None
    with pytest.raises(ThumbRenderError):
        render_thumb(b"not an image", "image/png", spec)


@pytest.mark.parametrize("cut", [8, 33, 60, 200])
def test_a_truncated_image_raises_a_render_error_never_another(cut: int) -> None:
    # Given the first bytes of a real PNG and JPEG (a broken upload), When thumbed / Then a ThumbRenderError
    spec = parse_thumb_size("50x30")
    assert spec is not None
    for fmt, content_type in (("PNG", "image/png"), ("JPEG", "image/jpeg")):
        with pytest.raises(ThumbRenderError):
            render_thumb(image(fmt, 300, 200)[:cut], content_type, spec)
