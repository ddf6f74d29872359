"""Cold starts counted in instructions: the same staged functions and first events as `cold_start`, run once each
under valgrind's cachegrind, which counts the instructions the process executes (user space only).

CPU time on a shared machine moves by 5 to 10% from run to run, so a change worth 1 or 2% of a cold start cannot
be seen in it without dozens of paired samples; an instruction count is the same on every run (hash seeds
fixed), so one run of each side of a change measures it. It leaves out what the kernel does for the process
(page faults, file system calls: about a tenth of a cold start's CPU here), which `cold_start`'s CPU figures
include, so it is a guide for changes to our code, not the goal's measure.

`LB_BENCH_INSTRUCTIONS` names the functions counted besides hello (`all` for every HTTP function; default
records and auth, about 20 s each); the section is skipped when valgrind is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any

from tests.bench import cold_start, cold_world

DEFAULT = ("records", "auth")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def chosen(setting: str | None) -> tuple[str, ...]:
    """The functions LB_BENCH_INSTRUCTIONS names: a comma list, `all` for every HTTP function, default DEFAULT."""
    if not setting:
        return DEFAULT
    if setting.strip() == "all":
        return cold_start.HTTP_GOAL
    names = tuple(name.strip() for name in setting.split(",") if name.strip())
    if unknown := [name for name in names if name not in cold_start.HTTP_GOAL]:
        raise ValueError(f"LB_BENCH_INSTRUCTIONS names no HTTP function {unknown}")
    return names


def count(staged: cold_start.Staged, event: dict[str, Any], env: dict[str, str]) -> int:
    """Instructions of one cold start (import + first invoke) of a staged function; the first event must succeed."""
    child_env = {**env, "PYTHONHASHSEED": "0", "PYTHONPATH": os.pathsep.join(str(p) for p in staged.path)}
    out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, "-S", "-B", "-c", cold_start._CHILD, staged.module, json.dumps(event)],
                         cwd=staged.cwd, env=child_env, capture_output=True, text=True)
    found = _REFS.search(out.stderr)
    if out.returncode != 0 or found is None:
        raise cold_start.FirstEventError(f"{staged.module} failed under valgrind:\n{out.stderr[-2000:]}", "crashed")
    response = json.loads(out.stdout.strip().splitlines()[-1])["response"]
    if not cold_start._succeeded(response):
        raise cold_start.FirstEventError(f"{staged.module} did not answer its first event", "failed")
    return int(found.group(1).replace(",", ""))


def report() -> None:
    if shutil.which("valgrind") is None:
        print("\nCold start in instructions: skipped (valgrind is not installed)")
        return
    from tests.support.moto_cloud import running_cloud

    names = chosen(os.environ.get("LB_BENCH_INSTRUCTIONS"))
    print("\nCold start in instructions (cachegrind, one run each: the count does not vary), ratio to hello")
    with running_cloud() as moto, cold_start.staged_build() as staged:
        world = cold_world.seed()
        env = cold_start.child_env(moto.endpoint)
        events = cold_start.sample_events(world)
        hello = count(staged[cold_start.HELLO], cold_world.http("GET", "/hello"), env)
        print(f"  {'hello (baseline)':<20} {hello / 1e6:9.1f} M")
        for name in names:
            cold_world.rearm(name)
            counted = count(staged[name], events[name], env)
            print(f"  {name:<20} {counted / 1e6:9.1f} M  x{counted / hello:.3f}")
