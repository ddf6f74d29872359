"""shared.init_phase: a handler module's init runs with the collector paused and leaves what it built frozen."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

from shared import resources
from shared.init_phase import cold_init


def test_init_runs_uncollected_then_freezes_what_it_built_and_collects_again() -> None:
    # Given a collecting interpreter
    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    # When an init builds objects inside cold_init
    with cold_init():
        paused = not gc.isenabled()
        built = [{"n": n} for n in range(1000)]
    # Then the collector was paused during it, the objects are frozen after it, and collection resumes
    assert paused
    assert gc.get_freeze_count() >= frozen_before + len(built)
    assert gc.isenabled()


def test_a_caller_that_paused_the_collector_keeps_it_paused() -> None:
    # Given a caller that paused the collector itself
    gc.disable()
    try:
        # When an init runs inside it
        with cold_init():
            pass
        # Then the collector stays paused
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failing_init_still_resumes_collection() -> None:
    # Given an init that raises, When it ends, Then the collector runs again
    try:
        with cold_init():
            raise ValueError("init failed")
    except ValueError:
        pass
    assert gc.isenabled()


def test_every_function_initializes_inside_the_phase() -> None:
    # Given a fresh interpreter, When each handler module is imported in turn, Then no full collection ran during
    # any of them, each froze what it built (the freeze count grew with it), and the collector runs again after
    code = ("import gc, importlib, json, sys\n"
            "full = []\n"
            "gc.callbacks.append(lambda phase, info: full.append(1) if info['generation'] == 2 else None)\n"
            "seen = {}\n"
            "for name in sys.argv[1:]:\n"
            "    before, full[:] = gc.get_freeze_count(), []\n"
            "    importlib.import_module(name)\n"
            "    seen[name] = [len(full), gc.isenabled(), gc.get_freeze_count() > before]\n"
            "print(json.dumps(seen))")
    modules = [function.module for function in resources.FUNCTIONS]
    out = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True, check=True,
                         env=os.environ)
    seen = json.loads(out.stdout)
    assert {name: seen[name] for name in modules} == {name: [0, True, True] for name in modules}
