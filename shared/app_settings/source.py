"""The settings as stored: read from the repository, secrets decrypted, or the deployment's defaults."""

from __future__ import annotations

from collections.abc import Callable

from shared.app_settings.model import AppSettings
from shared.app_settings.secrets import SecretCipher, unseal
from shared.app_settings.store import SettingsRepository, StoredSettings


class StoredSettingsSource:
    """`provider.current()`'s default source, and the settings API's view of the same item."""

    def __init__(self, repository: SettingsRepository, cipher: SecretCipher | None,
                 defaults: Callable[[], AppSettings]) -> None:
        self.repository = repository
        # None: this function has no grant on the settings key, and sees every secret as empty.
        self.cipher = cipher
        self._defaults = defaults

    def read(self, *, consistent: bool = False) -> tuple[AppSettings, int]:
        """The settings with their secrets in clear, and the version to name when saving over them."""
        stored = self.repository.load(consistent=consistent)
        if stored is None:
            return self._defaults(), 0
        return self.decode(stored), stored.version

    def decode(self, stored: StoredSettings) -> AppSettings:
        # A field an upgrade added is absent from an older item, and reads its default.
        return AppSettings.model_validate(unseal(stored.value, self.cipher))

    def load(self) -> AppSettings:
        return self.read()[0]
