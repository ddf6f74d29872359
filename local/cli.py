"""The lambdabase command: run the local stack, and operator commands against it."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path


def _data_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("LB_DATA_DIR") or "lb_data")


@contextlib.contextmanager
def local_cloud(data_dir: Path) -> Iterator[None]:
    """The running stack's moto when there is one; otherwise the data folder loaded into a private moto."""
    from local import cloud, snapshot
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
    moto = cloud.start_moto()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        cloud.provision(data_dir)
        snapshot.restore(data_dir)
        yield
        snapshot.save(data_dir)
    finally:
        moto.stop()


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
    args = parser.parse_args(argv)

    if args.command == "run":
        from local.stack import LocalConfig, serve

        overrides = {k: v for k, v in {"port": args.port, "data_dir": args.data_dir}.items() if v is not None}
        serve(LocalConfig(**overrides))
        return 0
    if args.command == "superuser":
        import local  # noqa: F401  (local defaults for Powertools and the region)

        with local_cloud(_data_dir(args.data_dir)):
            from shared.accounts.superusers import upsert_superuser
            from shared.errors import ApiError
            from shared.services import services

            svc = services()
            try:
                record_id, created = upsert_superuser(svc.collections, svc.records, args.email, args.password)
            except ApiError as err:
                print(f"error: {err.message} {json.dumps(err.data)}", file=sys.stderr)
                return 1
            print(f"Superuser {args.email} {'created' if created else 'updated'} (id {record_id}).")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
