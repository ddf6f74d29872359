"""The layer build ships byte code: hash-based, unchecked, naming the files where Lambda mounts them."""

from __future__ import annotations

import importlib.util
import marshal
import sys
from pathlib import Path

from layers.build import FUNCTION_MOUNT, LAYER_MOUNT, BuildLayout, stage_function, stage_shared_layer


def _source_tree(root: Path) -> Path:
    (root / "functions" / "alpha").mkdir(parents=True)
    (root / "shared").mkdir(parents=True)
    (root / "functions" / "__init__.py").write_text("")
    (root / "functions" / "alpha" / "handler.py").write_text("handler = None\n")
    (root / "shared" / "__init__.py").write_text("")
    (root / "shared" / "thing.py").write_text("VALUE = 1\n")
    return root


def _pyc(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


def test_a_staged_function_ships_unchecked_hash_byte_code_named_after_var_task(tmp_path: Path) -> None:
    # Given a function's source, When it is staged with an interpreter of the runtime's version (here: this one)
    staged = stage_function("alpha", BuildLayout(tmp_path / "build"), _source_tree(tmp_path / "src"),
                            python=sys.executable)
    pyc = _pyc(staged / "functions" / "alpha" / "handler.py").read_bytes()
    # Then its .pyc is hash-based and never checked against the source (flags 0b01), as a read-only layer needs
    assert int.from_bytes(pyc[4:8], "little") == 0b01
    # And tracebacks name the file where Lambda runs it
    assert marshal.loads(pyc[16:]).co_filename == f"{FUNCTION_MOUNT}/functions/alpha/handler.py"


def test_the_shared_layer_ships_byte_code_named_after_opt(tmp_path: Path) -> None:
    layout = BuildLayout(tmp_path / "build")
    stage_shared_layer(layout, _source_tree(tmp_path / "src"), python=sys.executable)
    pyc = _pyc(layout.shared_layer / "python" / "shared" / "thing.py").read_bytes()
    assert marshal.loads(pyc[16:]).co_filename == f"{LAYER_MOUNT}/python/shared/thing.py"


def test_without_an_interpreter_the_code_is_staged_as_source_only(tmp_path: Path) -> None:
    # Given no interpreter of the runtime's version, When a function is staged, Then it has no byte code
    staged = stage_function("alpha", BuildLayout(tmp_path / "build"), _source_tree(tmp_path / "src"))
    assert not list(staged.rglob("*.pyc"))
