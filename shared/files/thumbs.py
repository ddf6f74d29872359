"""Thumbnails as PocketBase 0.40 makes them: which sizes a field serves, their geometry, and rendering with Pillow.

PocketBase renders with disintegration/imaging (tools/filesystem `createThumb`); the geometry here follows it:
- `WxH`, `WxHt`, `WxHb`: `Fill`, scale to cover the box then crop it from the center, top or bottom;
- `WxHf`: `Fit` inside the box, never enlarging (truncated dimensions, as imaging's `int()`);
- `0xH`, `Wx0`: `Resize` with the missing side from the aspect ratio (rounded, at least 1 px).
Only the first frame of an animated image is kept, EXIF orientation is applied first, and the thumb is encoded as
JPEG or GIF when the original is one, else as PNG (WebP included), exactly as PocketBase does.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Literal

import msgspec

from shared.collections.fields.file import THUMB_SIZE_REGEX

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

# PocketBase serves a thumb only for originals of these types (apis/file.go `imageContentTypes`).
THUMB_SOURCE_TYPES = ("image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp")
# Always allowed besides the field's own `thumbs` (apis/file.go `defaultThumbSizes`): the dashboard's previews.
DEFAULT_THUMB_SIZES = ("100x100",)
# A decompression bomb is refused rather than decoded (Pillow's own warning threshold is ~89 Mpx).
MAX_SOURCE_PIXELS = 50_000_000

Mode = Literal["fill", "fit", "resize"]
Anchor = Literal["center", "top", "bottom"]
_ANCHOR_CENTERING = {"center": (0.5, 0.5), "top": (0.5, 0.0), "bottom": (0.5, 1.0)}


class ThumbSpec(msgspec.Struct, frozen=True):
    """A parsed thumb size: the box and how the image goes into it."""

    size: str
    width: int
    height: int
    mode: Mode
    anchor: Anchor = "center"

    def dimensions(self, source_width: int, source_height: int) -> tuple[int, int]:
        """The thumb's width and height for a source of this size."""
        if self.mode == "resize":
            return _resize_dimensions(source_width, source_height, self.width, self.height)
        if self.mode == "fill":
            return self.width, self.height
        if source_width <= self.width and source_height <= self.height:
            return source_width, source_height  # Fit never enlarges
        source_ratio = source_width / source_height
        if source_ratio > self.width / self.height:
            return _resize_dimensions(source_width, source_height, self.width, int(self.width / source_ratio))
        return _resize_dimensions(source_width, source_height, int(self.height * source_ratio), self.height)


def _resize_dimensions(source_width: int, source_height: int, width: int, height: int) -> tuple[int, int]:
    if width == 0:
        width = max(1, math.floor(height * source_width / source_height + 0.5))
    if height == 0:
        height = max(1, math.floor(width * source_height / source_width + 0.5))
    return width, height


def parse_thumb_size(size: str) -> ThumbSpec | None:
    """The spec of `WxH[t|b|f]`, `0xH` or `Wx0`; None for anything else (0x0 included)."""
    match = THUMB_SIZE_REGEX.match(size)
    if match is None:
        return None
    width, height, suffix = int(match.group(1)), int(match.group(2)), match.group(3) or ""
    if width == 0 and height == 0:
        return None
    if width == 0 or height == 0:
        return ThumbSpec(size, width, height, "resize")
    if suffix == "f":
        return ThumbSpec(size, width, height, "fit")
    anchor: Anchor = {"t": "top", "b": "bottom"}.get(suffix, "center")  # type: ignore[assignment]
    return ThumbSpec(size, width, height, "fill", anchor)


def requested_thumb(requested: str, field_thumbs: list[str]) -> ThumbSpec | None:
    """The thumb `?thumb=` asks for, if the field serves that size; None serves the original, as PocketBase."""
    if not requested or (requested not in DEFAULT_THUMB_SIZES and requested not in field_thumbs):
        return None
    return parse_thumb_size(requested)


def has_thumbs(content_type: str) -> bool:
    """Whether PocketBase makes thumbs of originals of this type (others are served as they are)."""
    return content_type in THUMB_SOURCE_TYPES


class RenderedThumb(msgspec.Struct, frozen=True):
    body: bytes
    content_type: str


class ThumbRenderError(Exception):
    """The original could not be decoded or encoded: PocketBase then serves the original."""


def render_thumb(original: bytes, content_type: str, spec: ThumbSpec) -> RenderedThumb:
    """Render the thumb of an image's bytes; ThumbRenderError when they are not a decodable image."""
    try:
        return _render(original, content_type, spec)
    except ThumbRenderError:
        raise
    except Exception as exc:
        # As PocketBase's SafeWrap around its decoder: a corrupt image of any kind falls back to the original.
        raise ThumbRenderError(f"{type(exc).__name__}: {exc}") from exc


def _render(original: bytes, content_type: str, spec: ThumbSpec) -> RenderedThumb:
    # Imported here: only a first thumb request pays for Pillow, never a cold start serving originals.
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(original)) as opened:
        if opened.width * opened.height > MAX_SOURCE_PIXELS:
            raise ThumbRenderError("image too large to thumbnail")
        opened.seek(0)
        image = ImageOps.exif_transpose(opened.copy())
    width, height = spec.dimensions(image.width, image.height)
    image = _working_mode(image)
    if spec.mode == "fill":
        thumb = ImageOps.fit(image, (width, height), Image.Resampling.BILINEAR,
                             centering=_ANCHOR_CENTERING[spec.anchor])
    elif (width, height) == image.size:
        thumb = image
    else:
        thumb = image.resize((width, height), Image.Resampling.BILINEAR)
    return _encode(thumb, content_type)


def _working_mode(image: PilImage) -> PilImage:
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA" if "transparency" in image.info or image.mode in ("P", "PA") else "RGB")


def _encode(image: PilImage, content_type: str) -> RenderedThumb:
    out = io.BytesIO()
    if content_type in ("image/jpeg", "image/jpg"):
        image.convert("RGB").save(out, "JPEG", quality=75)  # imaging's default JPEG quality
        return RenderedThumb(out.getvalue(), "image/jpeg")
    if content_type == "image/gif":
        image.save(out, "GIF")
        return RenderedThumb(out.getvalue(), "image/gif")
    image.save(out, "PNG")
    return RenderedThumb(out.getvalue(), "image/png")
