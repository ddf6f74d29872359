"""Conformance of the backups API and POST /api/files/token: statuses and bodies next to PocketBase 0.40.6."""

from __future__ import annotations

import re
import time

import pytest

from tests.conformance.deliberate import BACKUP_DELETE_MISSING, BACKUP_UPLOAD_INVALID, BAD_JSON
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check, comparable

BOUNDARY = "lbconformance"


def multipart(filename: str, body: bytes) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + body + f"\r\n--{BOUNDARY}--\r\n".encode()


FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

CASES = cases(
    *(Case(f"{method} {path} as guest", method, path, role=GUEST) for method, path in (
        ("GET", "/api/backups"), ("POST", "/api/backups"), ("POST", "/api/backups/upload"),
        ("POST", "/api/backups/x.zip/restore"), ("DELETE", "/api/backups/x.zip"), ("POST", "/api/files/token"))),
    *(Case(f"{method} {path} as user", method, path, role="alice") for method, path in (
        ("GET", "/api/backups"), ("POST", "/api/backups"), ("POST", "/api/backups/upload"),
        ("POST", "/api/backups/x.zip/restore"), ("DELETE", "/api/backups/x.zip"))),
    Case("file token as superuser", "POST", "/api/files/token"),
    Case("file token as user", "POST", "/api/files/token", role="alice"),
    Case("download without a token", "GET", "/api/backups/x.zip", role=GUEST),
    Case("download with a forged token", "GET", "/api/backups/x.zip", role=GUEST, params={"token": "a.b.c"}),
    Case("download with an auth token", "GET", "/api/backups/x.zip", params={"token": "${superuser_token}"}),
    Case("create with spaces in the name", "POST", "/api/backups", body={"name": "bad name.zip"}),
    Case("create without .zip", "POST", "/api/backups", body={"name": "abc"}),
    Case("create with capitals", "POST", "/api/backups", body={"name": "ABC_1.zip"}),
    Case("create with @", "POST", "/api/backups", body={"name": "@auto.zip"}),
    Case("create with a name too long", "POST", "/api/backups", body={"name": "a" * 200 + ".zip"}),
    Case("create with a number as name", "POST", "/api/backups", body={"name": 123}),
    Case("create with broken JSON", "POST", "/api/backups", raw=b"{nope", headers={"Content-Type": "application/json"},
         deliberate=BAD_JSON),
    Case("restore of a missing backup", "POST", "/api/backups/missing.zip/restore"),
    Case("restore of a bad key", "POST", "/api/backups/bad%20name.zip/restore"),
    Case("delete of a missing backup", "DELETE", "/api/backups/missing.zip", deliberate=BACKUP_DELETE_MISSING),
    Case("upload without a file", "POST", "/api/backups/upload"),
    Case("PUT on the list", "PUT", "/api/backups"),
    Case("PATCH on a backup", "PATCH", "/api/backups/x.zip"),
    Case("GET on restore", "GET", "/api/backups/x.zip/restore"),
    Case("GET on the file token", "GET", "/api/files/token"),
    Case("DELETE of the upload path", "DELETE", "/api/backups/upload", deliberate=BACKUP_DELETE_MISSING),
    Case("upload of a text file", "POST", "/api/backups/upload", raw=multipart("x.txt", b"hello"), headers=FORM,
         deliberate=BACKUP_UPLOAD_INVALID),
    Case("upload of garbage named .zip", "POST", "/api/backups/upload", raw=multipart("g.zip", b"garbage"),
         headers=FORM, deliberate=BACKUP_UPLOAD_INVALID),
)


@pytest.mark.parametrize("case", CASES)
def test_backups(paired: PairedClient, case: Case) -> None:
    # Given both servers up, When the same backups request goes to both, Then status and body agree
    for side in (paired.pb, paired.lb):
        side.remember("superuser_token", side.tokens["superuser"])
    check(paired, case)


def wait_listed(paired: PairedClient, key: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        pb, lb = paired.ok("GET", "/api/backups")
        health = paired.ok("GET", "/api/health")[1]["data"]
        if key in [b["key"] for b in pb] and key in [b["key"] for b in lb] and health["canBackup"]:
            return
        assert time.monotonic() < deadline, "the backup never appeared"
        time.sleep(0.2)


def test_a_created_backup_is_listed_downloaded_refused_twice_and_deleted(paired: PairedClient) -> None:
    # Given a backup created on both sides
    pair = paired.send("POST", "/api/backups", json={"name": "conformance.zip"})
    assert (pair.pb.status_code, pair.lb.status_code) == (204, 204)
    wait_listed(paired, "conformance.zip")

    # When it is listed, then each entry has PocketBase's keys (sizes differ: the archives do)
    pb, lb = paired.ok("GET", "/api/backups")
    entry = {side: next(b for b in listed if b["key"] == "conformance.zip")
             for side, listed in (("pb", pb), ("lb", lb))}
    assert sorted(entry["pb"]) == sorted(entry["lb"]) == ["key", "modified", "size"]

    # When the same name is asked for again, then both refuse it alike
    again = paired.send("POST", "/api/backups", json={"name": "conformance.zip"})
    assert comparable(paired, again)[0] == comparable(paired, again)[1]

    # When it is downloaded with a superuser's file token, then both send a zip as an attachment
    tokens = paired.ok("POST", "/api/files/token")
    paired.pb.remember("file_token", tokens[0]["token"])
    paired.lb.remember("file_token", tokens[1]["token"])
    download = paired.send("GET", "/api/backups/conformance.zip", role=GUEST, params={"token": "${file_token}"})
    for response in (download.pb, download.lb):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert response.headers["content-disposition"] == 'attachment; filename="conformance.zip"'
        assert response.content[:4] == b"PK\x03\x04"
    missing = paired.send("GET", "/api/backups/nope.zip", role=GUEST, params={"token": "${file_token}"})
    assert comparable(paired, missing)[0] == comparable(paired, missing)[1]

    # When it is deleted, then both answer 204 and list it no more
    deleted = paired.send("DELETE", "/api/backups/conformance.zip")
    assert (deleted.pb.status_code, deleted.lb.status_code) == (204, 204)
    pb, lb = paired.ok("GET", "/api/backups")
    assert "conformance.zip" not in [b["key"] for b in pb] + [b["key"] for b in lb]


def test_a_backup_without_a_name_gets_pocketbases_generated_name(paired: PairedClient) -> None:
    # Given no backup named by the server yet
    generated = re.compile(r"^pb_backup_acme_\d{14}\.zip$")
    before = [{b["key"] for b in listed} for listed in paired.ok("GET", "/api/backups")]

    # When a backup is created without a name on both sides
    pair = paired.send("POST", "/api/backups", json={})
    assert (pair.pb.status_code, pair.lb.status_code) == (204, 204)

    # Then each side lists one new backup, named `pb_backup_<app name>_<UTC time>.zip`
    deadline = time.monotonic() + 60
    while True:
        after = [{b["key"] for b in listed} for listed in paired.ok("GET", "/api/backups")]
        new = [a - b for a, b in zip(after, before, strict=True)]
        if all(new) and paired.ok("GET", "/api/health")[1]["data"]["canBackup"]:
            break
        assert time.monotonic() < deadline, "the generated backup never appeared"
        time.sleep(0.2)
    for keys in new:
        assert len(keys) == 1 and generated.match(next(iter(keys))), keys
    for side_keys, side in zip(new, (paired.pb, paired.lb), strict=True):
        response = side.http.delete(f"/api/backups/{next(iter(side_keys))}",
                                    headers={"Authorization": side.tokens["superuser"]})
        assert response.status_code == 204
