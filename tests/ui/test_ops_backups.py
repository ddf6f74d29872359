"""The backups screen: take a backup and see it listed, download it (a file token), upload an archive (and see
PocketBase's error for a name taken), restore after typing the backup's name, delete."""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import PageProblems, assert_accessible
from tests.ui.superuser_api import eventually, superuser_client

NAME = f"ops_ui_{uuid.uuid4().hex[:6]}.zip"
UPLOADED = f"ops_ui_upload_{uuid.uuid4().hex[:6]}.zip"
JOB_TIMEOUT_MS = 30_000  # a create is a few job steps through the local jobs queue


@pytest.fixture(scope="module")
def api(ui_stack: StackProcess) -> Iterator[httpx.Client]:
    client = superuser_client(ui_stack)
    yield client
    client.close()


def listed(api: httpx.Client) -> dict[str, int]:
    return {b["key"]: b["size"] for b in api.get("/api/backups").json()}


def backups_row(page: Page, key: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=key, exact=True))


def test_take_a_backup_and_see_it_listed(page: Page, api: httpx.Client, problems: PageProblems) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Backups").click()
    expect(page.get_by_role("heading", name="Backups", level=1)).to_be_visible()
    assert_accessible(page)
    # When the superuser starts a backup with a name of their own
    page.get_by_role("button", name="New backup").click()
    form = page.get_by_role("form", name="New backup")
    # (a name PocketBase refuses is named next to the field, and kept)
    form.get_by_label("Name").fill("Not A Zip")
    form.get_by_role("button", name="Start backup").click()
    expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Name")).to_have_value("Not A Zip")
    assert_accessible(page)
    form.get_by_label("Name").fill(NAME)
    form.get_by_role("button", name="Start backup").click()
    # Then its progress shows while the job runs (health is polled every second, so it is seen at least that long)
    expect(page.get_by_role("status").filter(has_text=f"Creating {NAME}")).to_be_visible()
    # and it is listed once the job ends, with a success message, and the API lists it too
    expect(backups_row(page, NAME)).to_have_count(1, timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_role("status").filter(has_text=f"Backup {NAME} created.")).to_be_visible()
    assert NAME in listed(api)
    assert problems.csp_violations() == []
    assert problems.uncaught() == []


def test_download_a_backup(page: Page, api: httpx.Client, tmp_path: Path) -> None:
    with page.expect_download() as download:
        backups_row(page, NAME).get_by_role("button", name=f"Download {NAME}").click()
    assert download.value.suggested_filename == NAME
    saved = tmp_path / NAME
    download.value.save_as(saved)
    assert saved.stat().st_size == listed(api)[NAME]
    with zipfile.ZipFile(saved) as archive:
        assert "lambdabase-backup.json" in archive.namelist()


def test_upload_an_archive(page: Page, api: httpx.Client, tmp_path: Path) -> None:
    original = tmp_path / NAME
    original.write_bytes(api.get(f"/api/backups/{NAME}", params={"token": file_token(api)}).content)
    # an upload under a name that exists gets PocketBase's error, and nothing changes
    page.locator("input[type=file]").set_input_files(original)
    expect(page.get_by_role("alert")).to_contain_text(f"Upload of {NAME} failed")
    expect(page.get_by_role("alert")).to_contain_text("Backup file with the specified name already exists.")
    # one under a new name is listed
    copy = tmp_path / UPLOADED
    copy.write_bytes(original.read_bytes())
    page.locator("input[type=file]").set_input_files(copy)
    expect(backups_row(page, UPLOADED)).to_have_count(1)
    assert UPLOADED in listed(api)


def test_restore_asks_for_the_name_then_restores(page: Page, api: httpx.Client) -> None:
    backups_row(page, UPLOADED).get_by_role("button", name=f"Restore {UPLOADED}").click()
    dialog = page.get_by_role("dialog", name="Restore backup")
    confirm = dialog.get_by_role("button", name="Restore")
    # the action stays disabled until the exact name is typed
    expect(confirm).to_be_disabled()
    dialog.get_by_label("to confirm").fill(UPLOADED[:-1])
    expect(confirm).to_be_disabled()
    dialog.get_by_label("to confirm").fill(UPLOADED)
    assert_accessible(page)
    confirm.click()
    # the restore's progress is followed to its end
    expect(page.get_by_role("status").filter(has_text=f"Restored {UPLOADED}.")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    eventually(lambda: api.get("/api/health").json()["data"].get("canBackup"), what="the restore to end")


def test_delete_a_backup(page: Page, api: httpx.Client) -> None:
    backups_row(page, UPLOADED).get_by_role("button", name=f"Delete {UPLOADED}").click()
    page.get_by_role("dialog", name="Delete backup").get_by_role("button", name="Delete").click()
    expect(backups_row(page, UPLOADED)).to_have_count(0)
    assert UPLOADED not in listed(api)


def file_token(api: httpx.Client) -> str:
    return str(api.post("/api/files/token").json()["token"])
