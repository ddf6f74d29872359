"""The lambdabase command: run the local stack, and operator commands against it."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _data_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("LB_DATA_DIR") or "lb_data")


@contextlib.contextmanager
def local_cloud(data_dir: Path) -> Iterator[None]:
    """The running stack's moto when there is one; otherwise the data folder loaded into a private moto."""
    from local import cloud, journal, moto_patches, snapshot
    from local.stack import STATE_FILE
    from shared.aws import client

    state = data_dir / STATE_FILE
    if state.exists():
        info = json.loads(state.read_text())
        os.environ.update({"AWS_ENDPOINT_URL": info["moto"], "AWS_ACCESS_KEY_ID": "local",
                           "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": cloud.REGION})
        client.cache_clear()
        cloud.provision(data_dir)
        yield
        return
    moto_patches.raise_sequence_floor(snapshot.highest_sequence_number(data_dir))
    moto = cloud.start_moto()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        cloud.provision(data_dir)
        snapshot.restore(data_dir)
        journal.recover(data_dir)  # what a killed stack acknowledged last is in its journal
        yield
        snapshot.save(data_dir)
    finally:
        moto.stop()


# Rate limits apply locally as in the cloud, loopback included: raise them with LB_RATE_LIMITS if a tool needs to.
# Webhooks and OAuth2 providers may be reached on loopback locally, never on AWS (docs/security.md).
LOCAL_DEFAULTS = {"LB_MAIL_LOG_BODY": "true", "LB_WEBHOOKS_ALLOW_LOOPBACK": "true",
                  "LB_OAUTH2_ALLOW_LOOPBACK": "true"}


def _mail_dir(data_dir: Path) -> Path:
    return Path(os.environ.get("LB_MAIL_OUTBOX_DIR") or data_dir / "mail")


def _mail_entry(sent: Any) -> dict[str, Any]:
    from shared.mail.render import links

    message = sent.message
    return {"messageId": sent.message_id, "sentAt": sent.sent_at, "kind": message.kind, "to": list(message.to),
            "subject": message.subject, "links": links(message.html), "text": message.text, "html": message.html}


def mail(data_dir: Path, *, to: str | None, last: int | None, as_json: bool, clear: bool) -> int:
    """Print the mail the local stack sent through SES (kept in the data folder's outbox), oldest first."""
    from shared.mail import outbox

    folder = _mail_dir(data_dir)
    if clear:
        print(f"Deleted {outbox.clear(folder)} message(s) from {folder}.")
        return 0
    sent = [m for m in outbox.read(folder) if not to or to.lower() in (a.lower() for a in m.message.to)]
    if last is not None:
        sent = sent[-last:] if last > 0 else []
    entries = [_mail_entry(m) for m in sent]
    if as_json:
        print(json.dumps(entries, indent=2))
        return 0
    if not entries:
        print(f"No mail in {folder}.")
        return 0
    for entry in entries:
        when = datetime.fromtimestamp(entry["sentAt"], UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"--- {when}  {entry['kind'] or 'mail'}  SES {entry['messageId']}")
        print(f"To:      {', '.join(entry['to'])}\nSubject: {entry['subject']}\n")
        print(entry["text"], end="\n\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lambdabase", description="Lambdabase local stack and tools")
    parser.add_argument("--data-dir", help="data folder (default LB_DATA_DIR or ./lb_data)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the local stack (moto + gateway) in the foreground")
    run.add_argument("--port", type=int, help="port (default LB_PORT or 8090)")
    run.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder")
    su = sub.add_parser("superuser", help="manage superusers")
    su_sub = su.add_subparsers(dest="action", required=True)
    upsert = su_sub.add_parser("upsert", help="create a superuser or reset its password")
    upsert.add_argument("email")
    upsert.add_argument("password")
    mail_cmd = sub.add_parser("mail", help="show the mail the local stack sent (through SES on moto)")
    mail_cmd.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder")
    mail_cmd.add_argument("--to", help="only messages to this address")
    mail_cmd.add_argument("--last", type=int, help="only the last N messages")
    mail_cmd.add_argument("--json", action="store_true", help="print JSON (with links and the HTML body)")
    mail_cmd.add_argument("--clear", action="store_true", help="delete the stored messages")
    args = parser.parse_args(argv)

    if args.command == "run":
        from local.stack import LocalConfig, serve

        overrides = {k: v for k, v in {"port": args.port, "data_dir": args.data_dir}.items() if v is not None}
        config = LocalConfig(**overrides)
        for key, value in {**LOCAL_DEFAULTS, "LB_MAIL_OUTBOX_DIR": str(config.data_dir.resolve() / "mail")}.items():
            os.environ.setdefault(key, value)
        serve(config)
        return 0
    if args.command == "mail":
        return mail(_data_dir(args.data_dir), to=args.to, last=args.last, as_json=args.json, clear=args.clear)
    if args.command == "superuser":
        import local  # noqa: F401  (local defaults for Powertools and the region)

        with local_cloud(_data_dir(args.data_dir)):
            from shared.accounts.superusers import upsert_superuser
            from shared.composition import composition
            from shared.errors import ApiError

            svc = composition()
            try:
                record_id, created = upsert_superuser(svc.collections, svc.records, svc.hooks, args.email,
                                                      args.password)
            except ApiError as err:
                print(f"error: {err.message} {json.dumps(err.data)}", file=sys.stderr)
                return 1
            print(f"Superuser {args.email} {'created' if created else 'updated'} (id {record_id}).")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
