"""QR codes of an `otpauth://` URI, as data URIs an `<img src>` shows directly (segno: pure Python)."""

from __future__ import annotations


def qr_images(uri: str) -> dict[str, str]:
    """{"svg": data URI, "png": data URI} of the URI, error correction M (the authenticator apps' usual)."""
    import segno  # lazily: tens of milliseconds that only an enrolment needs, not every cold start

    code = segno.make(uri, error="m", micro=False)
    return {"svg": code.svg_data_uri(scale=4, border=4), "png": code.png_data_uri(scale=4, border=4)}
