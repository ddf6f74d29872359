"""The cold-start bench stages the deps layer as shipped: every module it imports has its byte code beside it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bench.cold_start import stage_deps

CHECK = ("import json, os, six, typing_extensions, jmespath; "
         "print(json.dumps({m.__name__: os.path.exists(m.__cached__) for m in (six, typing_extensions, jmespath)}))")


def test_one_file_modules_and_packages_of_the_staged_layer_are_imported_from_byte_code(tmp_path: Path) -> None:
    # Given a deps layer staged with two one-file modules and a package
    target = tmp_path / "python"
    stage_deps(target, {"six", "typing-extensions", "jmespath"}, sdk_models=False)
    # When a fresh interpreter that writes no byte code imports them from the layer alone
    out = subprocess.run([sys.executable, "-S", "-B", "-c", CHECK], env={"PYTHONPATH": str(target)},
                         capture_output=True, text=True, check=True)
    # Then each was loaded from its .pyc, as from the shipped layer, rather than compiled at import
    assert json.loads(out.stdout) == {"six": True, "typing_extensions": True, "jmespath": True}
