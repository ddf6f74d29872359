"""Settings for every suite: Hypothesis runs a small profile by default and the full one on demand.

`HYPOTHESIS_PROFILE=full make test` (or `... pytest`) runs every property with the full number of examples;
tests leave `max_examples` to the profile, so one switch scales them all.
"""

from __future__ import annotations

import os

from hypothesis import settings

# Small enough that the properties cost seconds in `make test`, large enough to catch the common shapes.
settings.register_profile("default", max_examples=40)
# What the properties ran with before profiles existed (up to 400), with room to spare: the nightly/pre-merge run.
settings.register_profile("full", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
