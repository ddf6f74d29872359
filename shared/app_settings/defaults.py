"""A fresh deployment's settings: PocketBase's defaults, with what the deployment passed as env laid over them.

CDK hands a function the deployment's context (lb:appName, lb:appUrl, lb:mailSender*: LB_APP_NAME...), and tests
raise rate limits through LB_RATE_LIMITS*. Those are only the starting point: once settings are saved, the
stored item wins and the env is no longer read for them.
"""

from __future__ import annotations

from functools import cache

from shared.app_settings.model import AppSettings, BatchSettings, MetaSettings, RateLimitsSettings


@cache
def deployment_defaults() -> AppSettings:
    """The settings of a deployment that never saved any (its env is fixed for the process: built once)."""
    from shared.mail.settings import MailSettings
    from shared.ratelimit.settings import RateLimitSettings
    from shared.settings import Batch

    mail, limits, batch = MailSettings(), RateLimitSettings(), Batch()
    base = AppSettings()
    return base.model_copy(update={
        "meta": MetaSettings(**{**base.meta.model_dump(), "app_name": mail.app_name, "app_url": mail.app_url,
                                "sender_name": mail.mail_sender_name,
                                "sender_address": mail.mail_sender_address}),
        "rate_limits": RateLimitsSettings(enabled=limits.rate_limits_enabled, rules=limits.rate_limits,
                                          excluded_ips=limits.rate_limits_excluded_ips),
        "batch": BatchSettings(**{**base.batch.model_dump(), "enabled": batch.batch_enabled,
                                  "max_requests": batch.batch_max_requests}),
    })
