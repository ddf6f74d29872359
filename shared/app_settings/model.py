"""The runtime settings of an app, in PocketBase 0.40's shape, with PocketBase's defaults for a fresh app.

Attribute names are Python's; the JSON names (aliases) are PocketBase's, so `model_dump(by_alias=True)` is the
body of `GET /api/settings` before secrets are masked.
"""


from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.ratelimit.rules import DEFAULT_RULES, RateLimitRule


def _named(json_name: str, default: Any) -> Any:
    """A field whose JSON name is not the camel case of its Python name (PocketBase writes `appURL`, `logIP`)."""
    return Field(default=default, validation_alias=AliasChoices(json_name), serialization_alias=json_name)


class _Section(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")


class MetaSettings(_Section):
    app_name: str = "Acme"
    app_url: str = _named("appURL", "http://localhost:8090")
    sender_name: str = "Support"
    sender_address: str = "support@example.com"
    hide_controls: bool = False
    accent_color: str = "#1055c9"


class SmtpSettings(_Section):
    """Stored for a deployment that sends through SMTP; mail goes through SES while `enabled` is false."""

    enabled: bool = False
    host: str = "smtp.example.com"
    port: int = 587
    username: str = ""
    password: str = ""  # a secret: encrypted at rest, never returned
    auth_method: str = ""
    tls: bool = False
    local_name: str = ""


class S3Settings(_Section):
    enabled: bool = False
    bucket: str = ""
    region: str = ""
    endpoint: str = ""
    access_key: str = ""
    secret: str = ""  # a secret: encrypted at rest, never returned
    force_path_style: bool = False


class BackupsSettings(_Section):
    cron: str = ""  # empty: no scheduled backups
    cron_max_keep: int = 3
    s3: S3Settings = S3Settings()


class BatchSettings(_Section):
    enabled: bool = False
    max_requests: int = 50
    timeout: int = 3
    max_body_size: int = 0


class RateLimitsSettings(_Section):
    # On by default, unlike PocketBase: a public endpoint on the internet should not start unprotected.
    enabled: bool = True
    rules: tuple[RateLimitRule, ...] = DEFAULT_RULES
    excluded_ips: tuple[str, ...] = _named("excludedIPs", ())


class TrustedProxySettings(_Section):
    headers: tuple[str, ...] = ()
    use_leftmost_ip: bool = _named("useLeftmostIP", False)


class LogsSettings(_Section):
    max_days: int = 5
    min_level: int = 0
    log_ip: bool = _named("logIP", True)
    log_auth_id: bool = False
    max_data_size: int = 0


class ChannelRuleSettings(_Section):
    """Who may use the realtime channels whose names match `pattern` (`*` matches any run of characters).

    Rules are filters over `@request.auth.*`, as collection rules: None is superusers only, "" is anyone.
    """

    # Built on first use: the settings read meets it only inside AppSettings, whose own schema holds it.
    model_config = ConfigDict(defer_build=True)

    pattern: str = ""
    subscribe_rule: str | None = None
    publish_rule: str | None = None
    # whether members may `join` (and so be listed and announced to the channel's subscribers)
    presence: bool = False


class RealtimeAppSettings(_Section):
    """Beyond PocketBase (additive): the custom channels' rules, the first matching pattern wins; a channel
    that matches none is for superusers only."""

    channels: tuple[ChannelRuleSettings, ...] = ()


class WebhooksSettings(_Section):
    """Lambdabase's own section (PocketBase has no webhooks): how deliveries retry, time out and give up."""

    # Seconds before each attempt after a failure: Svix's schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
    # 10 h, 10 h); its length is the number of attempts. Tests compress it.
    retry_schedule: tuple[int, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    # Each wait is stretched or shrunk at random by up to this percentage, so retries of many events spread out.
    retry_jitter: int = 10
    timeout: int = 10  # seconds
    # A subscription whose deliveries have failed without a success for this many seconds (5 days) is disabled.
    disable_after: int = 5 * 86400
    # How long a rotated-out secret still signs alongside the new one, unless the rotation says otherwise.
    rotation_overlap: int = 86400
    # Deliveries one instance runs at once to one endpoint (host and port).
    concurrency_per_endpoint: int = 4
    # Redirects followed (each target checked as the first); 0: a 3xx is a failed delivery.
    max_redirects: int = 0
    log_max_days: int = 30


class AuditSettings(_Section):
    """The audit log (a Lambdabase extension, docs/api-audit.md): entries expire `retentionDays` after the change."""

    retention_days: int = 90


class CaptchaProviderSettings(_Section):
    """One captcha provider's server side (shared/forms/captcha.py): forms name the provider and its site key."""

    secret: str = ""  # a secret: encrypted at rest, never returned
    # Empty: the provider's documented siteverify URL; set for a proxy or a test double.
    verify_url: str = ""


class FormsSettings(_Section):
    """Lambdabase's own section (public forms, docs/api-views.md#public-forms): the captcha providers' secrets,
    kept here rather than in the form views, which their managers can read."""

    turnstile: CaptchaProviderSettings = CaptchaProviderSettings()
    hcaptcha: CaptchaProviderSettings = CaptchaProviderSettings()


class AppSettings(_Section):
    """Everything `GET /api/settings` shows; one item per app, read by every function through its cache."""

    meta: MetaSettings = MetaSettings()
    smtp: SmtpSettings = SmtpSettings()
    s3: S3Settings = S3Settings()
    backups: BackupsSettings = BackupsSettings()
    batch: BatchSettings = BatchSettings()
    rate_limits: RateLimitsSettings = RateLimitsSettings()
    trusted_proxy: TrustedProxySettings = TrustedProxySettings()
    logs: LogsSettings = LogsSettings()
    webhooks: WebhooksSettings = WebhooksSettings()
    audit: AuditSettings = AuditSettings()
    superuser_ips: tuple[str, ...] = _named("superuserIPs", ())
    realtime: RealtimeAppSettings = RealtimeAppSettings()
    forms: FormsSettings = FormsSettings()
