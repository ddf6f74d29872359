"""Captcha verification for forms: a verifier interface, with Cloudflare Turnstile's and hCaptcha's siteverify.

Both providers document the same exchange: the browser widget puts a response token in the form
(`cf-turnstile-response`, `h-captcha-response`); the server POSTs `secret`, `response` and optionally `remoteip`
(hCaptcha also `sitekey`) form-encoded to the siteverify URL, and reads `{"success": bool, "error-codes": [...],
"hostname", "challenge_ts", ...}`. A token is single-use on both: a replayed one answers success false.
"""

from __future__ import annotations

from typing import Protocol

from shared.observability import logger

TURNSTILE_SITEVERIFY = "https://challenges.cloudflare.com/turnstile/v0/siteverify"
HCAPTCHA_SITEVERIFY = "https://api.hcaptcha.com/siteverify"
# A form's POST waits for this at most; the providers answer in well under a second.
VERIFY_TIMEOUT_S = 5.0


class CaptchaVerifier(Protocol):
    def verify(self, response: str, remote_ip: str) -> bool:
        """Whether the provider accepts this widget response; False on any doubt (fail closed)."""
        ...


class SiteverifyCaptcha:
    """A provider answering the siteverify protocol at `url` with `secret`."""

    def __init__(self, provider: str, url: str, secret: str, site_key: str = "", *, send_site_key: bool = False,
                 timeout_s: float = VERIFY_TIMEOUT_S) -> None:
        self.provider = provider
        self._url = url
        self._secret = secret
        self._site_key = site_key
        self._send_site_key = send_site_key
        self._timeout_s = timeout_s

    def verify(self, response: str, remote_ip: str) -> bool:
        if not response or not self._secret:
            return False
        data = {"secret": self._secret, "response": response}
        if remote_ip:
            data["remoteip"] = remote_ip
        if self._send_site_key and self._site_key:
            data["sitekey"] = self._site_key  # hCaptcha checks the response was solved for this site key
        # httpx (with httpcore, h11, idna, certifi: about 15 ms) is loaded by the first form with a captcha, not
        # by every cold start of the forms function
        import httpx

        try:
            answer = httpx.post(self._url, data=data, timeout=self._timeout_s, follow_redirects=False)
            body = answer.json() if answer.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            # fail closed: a provider outage refuses submissions rather than letting bots through
            logger.warning("captcha siteverify failed", extra={"provider": self.provider}, exc_info=True)
            return False
        if not isinstance(body, dict) or body.get("success") is not True:
            logger.info("captcha refused", extra={"provider": self.provider, "errors": _codes(body)})
            return False
        return True


def _codes(body: object) -> list[str]:
    codes = body.get("error-codes") if isinstance(body, dict) else None
    return [str(c) for c in codes] if isinstance(codes, list) else []


def turnstile(secret: str, url: str = "") -> SiteverifyCaptcha:
    return SiteverifyCaptcha("turnstile", url or TURNSTILE_SITEVERIFY, secret)


def hcaptcha(secret: str, site_key: str, url: str = "") -> SiteverifyCaptcha:
    return SiteverifyCaptcha("hcaptcha", url or HCAPTCHA_SITEVERIFY, secret, site_key, send_site_key=True)
