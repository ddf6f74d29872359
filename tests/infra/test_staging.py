"""Code staging for Lambda assets, and the synth's refusal to run without a (current) deps layer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.app import DepsLayerMissingError, build_app
from layers.build import (
    BuildLayout,
    MissingHandlerError,
    fingerprint_file,
    lock_fingerprint,
    stage_function,
    stage_shared_layer,
)
from tests.infra.synthesis import offline_context


def _source_tree(root: Path) -> Path:
    (root / "functions" / "alpha" / "__pycache__").mkdir(parents=True)
    (root / "functions" / "beta").mkdir(parents=True)
    (root / "functions" / "__init__.py").write_text("")
    (root / "functions" / "alpha" / "handler.py").write_text("handler = None\n")
    (root / "functions" / "alpha" / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"")
    (root / "functions" / "beta" / "handler.py").write_text("handler = None\n")
    return root


def test_a_function_asset_holds_its_own_package_only(tmp_path: Path) -> None:
    # Given two functions, When one is staged, Then its asset has functions/__init__.py and its own folder
    source = _source_tree(tmp_path / "src")
    staged = stage_function("alpha", BuildLayout(tmp_path / "build"), source)
    files = sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file())
    assert files == ["functions/__init__.py", "functions/alpha/handler.py"]


def test_the_shared_layer_carries_the_builtin_templates(tmp_path: Path) -> None:
    # Given the repository, When the shared layer is staged, Then every built-in template file is in it
    from shared.templates.builtins import BUILTIN_DIR, builtin_names

    layer = stage_shared_layer(BuildLayout(tmp_path / "build"))
    staged = layer / "python" / "shared" / "templates" / "builtin"
    assert builtin_names() and sorted(p.stem for p in staged.glob("*.json")) == list(builtin_names())
    assert all((staged / f"{n}.json").read_bytes() == (BUILTIN_DIR / f"{n}.json").read_bytes() for n in builtin_names())


def test_a_declared_function_without_handler_fails_clearly(tmp_path: Path) -> None:
    source = _source_tree(tmp_path / "src")
    with pytest.raises(MissingHandlerError, match=re.escape("functions/gamma/handler.py")):
        stage_function("gamma", BuildLayout(tmp_path / "build"), source)


def test_synth_without_deps_layer_says_to_run_make_build(tmp_path: Path) -> None:
    context = {**offline_context(tmp_path), "lb:depsLayerDir": str(tmp_path / "missing")}
    with pytest.raises(DepsLayerMissingError, match="make build"):
        build_app(context, outdir=tmp_path / "cdk.out")


def test_synth_with_a_layer_built_from_another_lock_says_to_rebuild(tmp_path: Path) -> None:
    context = offline_context(tmp_path)
    fingerprint_file(Path(context["lb:depsLayerDir"])).write_text("0" * 64 + "\n")
    assert lock_fingerprint() != "0" * 64
    with pytest.raises(DepsLayerMissingError, match=re.escape("older uv.lock")):
        build_app(context, outdir=tmp_path / "cdk.out")
