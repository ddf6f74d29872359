"""Mail and app identity settings (env prefix LB_), PocketBase's `meta` settings: sender, app name and URL."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class MailSettings(BaseSettings):
    """Who mail comes from and what links in it point to; the sender must be a verified SES identity.

    On AWS, CDK sets them from the deployment's context (lb:appName, lb:appUrl, lb:mailSenderAddress,
    lb:mailSenderName; infra/config.py); the local stack keeps these defaults.
    """

    model_config = SettingsConfigDict(env_prefix="LB_", extra="ignore", frozen=True)

    # PocketBase's defaults for a fresh app.
    app_name: str = "Acme"
    app_url: str = "http://localhost:8090"
    mail_sender_address: str = "support@example.com"
    mail_sender_name: str = "Support"
    # Local stack only (`lambdabase run` sets it): a copy of every message SES accepted, for `lambdabase mail`.
    mail_outbox_dir: Path | None = None
    # Local stack only: log the text body (with its links and tokens). Never on AWS, where logs are widely
    # readable and a reset link in them would be an account takeover for anyone with log access.
    mail_log_body: bool = False

    @property
    def sender(self) -> str:
        """The From header, `Name <address>`."""
        name = self.mail_sender_name.replace('"', "").strip()
        return f'"{name}" <{self.mail_sender_address}>' if name else self.mail_sender_address
