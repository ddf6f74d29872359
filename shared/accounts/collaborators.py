"""Composition root of the account flows: settings, tokens, sessions, throttle and mail, built once per cold start."""

from functools import lru_cache

import msgspec

from shared import settings
from shared.accounts.auth_events import AuthEventHooks, publish_to_bus
from shared.accounts.mail_guard import MailResendGuard, get_mail_resend_guard
from shared.accounts.mfa import MfaOverride
from shared.accounts.totp.override import totp_override
from shared.auth.passwords import PasswordPolicy
from shared.auth.refresh import RefreshSessionService
from shared.auth.refresh_repository import RefreshFamilyRepository, get_refresh_family_repository
from shared.auth.settings import AuthSettings
from shared.auth.throttle import SignInThrottle
from shared.auth.throttle_repository import get_sign_in_throttle_repository
from shared.auth.tokens import TokenService, get_token_service
from shared.mail.sender import MailSender, default_mail_sender
from shared.mail.settings import MailSettings


class AccountSettings(AuthSettings, MailSettings, settings.Events):
    """Everything the account flows read from the environment (LB_*)."""


class Accounts(msgspec.Struct, frozen=True):
    """The collaborators of every account flow; fakes replace them in unit tests."""

    config: AccountSettings
    families: RefreshFamilyRepository
    refresh: RefreshSessionService
    throttle: SignInThrottle
    policy: PasswordPolicy
    mail: MailSender
    resend: MailResendGuard
    # auth events' listeners (shared/accounts/auth_events.py); none in unit tests unless they add one
    events: AuthEventHooks = msgspec.field(default_factory=AuthEventHooks)
    # asked in order whether a sign-in needs a second factor (shared/accounts/mfa.py): True requires one even
    # where PocketBase's mfa options would not, False skips it, None leaves it to PocketBase's options
    mfa_overrides: tuple[MfaOverride, ...] = ()

    @property
    def tokens(self) -> TokenService:
        return get_token_service(self.config)


@lru_cache(maxsize=1)
def accounts() -> Accounts:
    """The process-wide account components over the system table and SES."""
    config = settings.load(AccountSettings)
    families = get_refresh_family_repository(config.system_table)
    events = AuthEventHooks()
    events.on(publish_to_bus(config.events_bus))
    return Accounts(
        config=config,
        families=families,
        refresh=RefreshSessionService(families, config),
        throttle=SignInThrottle(get_sign_in_throttle_repository(config.system_table), config),
        policy=PasswordPolicy(config),
        mail=default_mail_sender(),
        resend=get_mail_resend_guard(config.system_table),
        events=events,
        # A record that enrolled TOTP needs a second factor at every sign-in (shared/accounts/totp/override.py).
        mfa_overrides=(totp_override(),),
    )
