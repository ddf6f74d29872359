"""The abuse controls of a form submission: its per-IP rate limit, and the captcha verifier it names."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from shared.app_settings.model import FormsSettings
from shared.errors import TooManyRequestsError
from shared.forms.captcha import CaptchaVerifier, hcaptcha, turnstile
from shared.forms.definition import CaptchaOptions, FormRateLimit
from shared.ratelimit.limiter import RateLimiter, RequestInfo
from shared.ratelimit.repository import get_rate_limit_repository
from shared.ratelimit.rules import RateLimitRule

VerifierFactory = Callable[[CaptchaOptions], CaptchaVerifier]


@lru_cache(maxsize=256)
def _form_limiter(system_table: str, label: str, max_requests: int, duration: int) -> RateLimiter:
    rule = RateLimitRule(label=label, max_requests=max_requests, duration=duration)
    # always on, whatever the app's rateLimits say: a public form is the API's one unauthenticated write
    return RateLimiter([rule], get_rate_limit_repository(system_table), enabled=True)


def check_rate_limit(system_table: str, slug: str, ip: str, limit: FormRateLimit) -> None:
    """429 with Retry-After once this IP has made the form's allowance of submissions in the window."""
    # one rule per form (its label names the slug), counted per client IP by the API's shared counters
    label = f"POST /api/forms/{slug}"
    limiter = _form_limiter(system_table, label, limit.max_requests, limit.duration)
    decision = limiter.check(RequestInfo(method="POST", path=f"/api/forms/{slug}", ip=ip))
    if decision is not None and not decision.allowed:
        raise TooManyRequestsError(headers={"Retry-After": str(decision.retry_after_s),
                                            "X-RateLimit-Limit": str(decision.limit),
                                            "X-RateLimit-Remaining": "0",
                                            "X-RateLimit-Reset": str(decision.reset_epoch)})


def settings_verifiers(settings: Callable[[], FormsSettings]) -> VerifierFactory:
    """Verifiers built from the app settings' `forms` section, where the providers' secrets are kept sealed."""
    def verifier(options: CaptchaOptions) -> CaptchaVerifier:
        forms = settings()
        if options.provider == "turnstile":
            return turnstile(forms.turnstile.secret, forms.turnstile.verify_url)
        return hcaptcha(forms.hcaptcha.secret, options.site_key, forms.hcaptcha.verify_url)
    return verifier
