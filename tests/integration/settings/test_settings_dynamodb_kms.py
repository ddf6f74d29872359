"""The settings store on moto: the DynamoDB item, KMS-encrypted secrets, the compare-and-set and propagation."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from local import cloud
from local.kms_keys import create_keys
from shared import resources
from shared.app_settings.errors import SettingsConflictError, SettingsStorageError
from shared.app_settings.model import AppSettings
from shared.app_settings.provider import CachedSettings
from shared.app_settings.secrets import KmsSecretCipher
from shared.app_settings.service import update_settings
from shared.app_settings.source import StoredSettingsSource
from shared.app_settings.store import SETTINGS_PK, SETTINGS_SK, DynamoSettingsRepository
from shared.aws import client
from shared.settings import env_name

TABLE = resources.SYSTEM_TABLE.physical_name


def store(key: str | None = None) -> StoredSettingsSource:
    key = key if key is not None else os.environ[env_name("key", resources.SETTINGS_KEY.key)]
    return StoredSettingsSource(DynamoSettingsRepository(TABLE), KmsSecretCipher(key), AppSettings)


def raw_item() -> dict[str, object]:
    return dict(client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": SETTINGS_PK},
                                                                  "sk": {"S": SETTINGS_SK}})["Item"])


def test_secrets_are_kms_ciphertexts_in_the_raw_item(moto: cloud.MotoCloud) -> None:
    # Given the three secrets saved through PATCH's logic
    secrets = {"smtp": {"password": "smtp-clear-1"}, "s3": {"secret": "s3-clear-2"},
               "backups": {"s3": {"secret": "bk-clear-3"}}}
    update_settings(store(), secrets)
    # When the raw DynamoDB item is read / Then no secret is in it in clear, each is a KMS ciphertext
    raw = json.dumps(raw_item())
    for clear in ("smtp-clear-1", "s3-clear-2", "bk-clear-3"):
        assert clear not in raw
    value = json.loads(raw_item()["value"]["S"])  # type: ignore[index]
    blob = value["s3"]["secret"]
    assert blob.startswith("kms:")
    # And KMS itself refuses it under another field's context: a ciphertext cannot be moved between fields
    import base64

    with pytest.raises(ClientError):
        client("kms").decrypt(CiphertextBlob=base64.b64decode(blob[4:]), EncryptionContext={"field": "smtp.password"})
    # And a fresh instance (no plaintext remembered) decrypts them all
    settings = store().read()[0]
    assert (settings.smtp.password, settings.s3.secret, settings.backups.s3.secret) == (
        "smtp-clear-1", "s3-clear-2", "bk-clear-3")


def test_a_save_over_a_stale_version_is_refused(moto: cloud.MotoCloud) -> None:
    # Given settings at version 1
    repo = DynamoSettingsRepository(TABLE)
    assert repo.save({"meta": {"appName": "One"}}, 0) == 1
    # When two writers both read version 1 and save / Then the second one's condition fails
    assert repo.save({"meta": {"appName": "Two"}}, 1) == 2
    with pytest.raises(SettingsConflictError):
        repo.save({"meta": {"appName": "Lost"}}, 1)
    with pytest.raises(SettingsConflictError):
        repo.save({"meta": {"appName": "New"}}, 0)
    stored = repo.load(consistent=True)
    assert stored is not None and stored.value["meta"]["appName"] == "Two" and stored.version == 2


def test_a_missing_table_is_a_storage_error(moto: cloud.MotoCloud) -> None:
    with pytest.raises(SettingsStorageError):
        DynamoSettingsRepository("no-such-table").load()


def test_a_change_reaches_another_instance_within_the_ttl(moto: cloud.MotoCloud) -> None:
    # Given two function instances, each with its own cache (TTL 0.5 s) and its own KMS plaintext memory
    ttl = 0.5
    writer, reader = CachedSettings(store(), ttl_s=ttl), CachedSettings(store(), ttl_s=ttl)
    assert reader.get().meta.app_name == "Acme"
    # When the writer saves a change
    saved_at = time.monotonic()
    update_settings(store(), {"meta": {"appName": "Propagated"}})
    writer.invalidate()
    # Then the reader sees it after at most one TTL (plus a read), never later
    while reader.get().meta.app_name != "Propagated":
        assert time.monotonic() - saved_at < ttl + 2.0, "the change did not reach the other instance"
        time.sleep(0.01)
    assert time.monotonic() - saved_at <= ttl + 2.0
    assert writer.get().meta.app_name == "Propagated"


def test_the_local_key_survives_a_restart(moto: cloud.MotoCloud, tmp_path: Path) -> None:
    # Given a secret encrypted under the local stack's key, whose id and material are kept in the data folder
    arn = create_keys(tmp_path, cloud.ACCOUNT_ID, cloud.REGION)[resources.SETTINGS_KEY.key]
    token = KmsSecretCipher(arn).encrypt("kept", "s3.secret")
    # When moto forgets every key (a restart) and the key is created again from the data folder
    moto.reset()
    again = create_keys(tmp_path, cloud.ACCOUNT_ID, cloud.REGION)[resources.SETTINGS_KEY.key]
    # Then it is the same key, and yesterday's ciphertext decrypts
    assert again == arn
    assert KmsSecretCipher(again).decrypt(token, "s3.secret") == "kept"
    assert oct((tmp_path / "kms_keys.json").stat().st_mode & 0o777) == "0o600"
