"""Mail and app identity: the runtime sender from the app settings, and the per-deployment env (prefix LB_).

The sender, app name and app URL are PocketBase's `meta` settings, changed at runtime through PATCH
/api/settings; the env values below only seed a deployment that never saved settings.
"""

from pathlib import Path

from shared.tools.env_settings import EnvSettings


class MailSettings(EnvSettings):
    """A fresh deployment's sender and links, and the local stack's outbox; the sender must be a verified SES
    identity.

    On AWS, CDK sets them from the deployment's context (lb:appName, lb:appUrl, lb:mailSenderAddress,
    lb:mailSenderName; infra/config.py); the local stack keeps these defaults. At runtime the app settings'
    `meta` wins (`runtime_sender`, shared/app_settings/defaults.py).
    """


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
        return sender_header(self.mail_sender_name, self.mail_sender_address)


def sender_header(name: str, address: str) -> str:
    """`"Name" <address>`, or the bare address without a name; quotes in the name are dropped, not escaped."""
    name = name.replace('"', "").strip()
    return f'"{name}" <{address}>' if name else address


def runtime_sender() -> str:
    """The From header of the app settings now (`meta.senderName` and `meta.senderAddress`)."""
    from shared.app_settings.provider import current

    meta = current().meta
    return sender_header(meta.sender_name, meta.sender_address)
