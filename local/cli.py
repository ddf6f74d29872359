"""The lambdabase command: run the local stack, and operator commands against it."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lambdabase", description="Lambdabase local stack and tools")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the local stack (moto + gateway) in the foreground")
    run.add_argument("--port", type=int, help="port (default LB_PORT or 8090)")
    run.add_argument("--data-dir", help="data folder (default LB_DATA_DIR or ./lb_data)")
    args = parser.parse_args(argv)

    if args.command == "run":
        from local.stack import LocalConfig, serve

        overrides = {k: v for k, v in {"port": args.port, "data_dir": args.data_dir}.items() if v is not None}
        serve(LocalConfig(**overrides))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
