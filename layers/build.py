"""Stages Lambda code under .build/: the deps layer from uv.lock, the shared layer and one folder per function.

`make build` runs this module; it needs PyPI for the deps layer. The CDK app calls the offline part,
`stage_code`, on every synth so that function and shared code are never stale.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUILD_DIR = REPO_ROOT / ".build"

# Lambda's python3.14 runtime is Amazon Linux 2023 (glibc 2.34) on Graviton. manylinux2014 (glibc 2.17) would
# be too strict: some locked wheels (argon2-cffi-bindings 26) are only published as manylinux_2_28.
LAMBDA_PYTHON_VERSION = "3.14"
LAMBDA_PLATFORM = "aarch64-manylinux_2_34"

# Never shipped: byte code compiled on this machine, test and type-stub leftovers.
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache", ".pytest_cache")


@dataclass(frozen=True)
class BuildLayout:
    """Where every staged artifact lives; each directory is one CDK asset."""

    root: Path = DEFAULT_BUILD_DIR

    @property
    def deps_layer(self) -> Path:
        return self.root / "layers" / "deps"

    @property
    def shared_layer(self) -> Path:
        return self.root / "layers" / "shared"

    def function(self, name: str) -> Path:
        return self.root / "functions" / name


def lock_fingerprint(source_root: Path = REPO_ROOT) -> str:
    """What the deps layer is built from: uv.lock and the target platform."""
    digest = hashlib.sha256((source_root / "uv.lock").read_bytes())
    digest.update(f"{LAMBDA_PLATFORM} {LAMBDA_PYTHON_VERSION}".encode())
    return digest.hexdigest()


def fingerprint_file(deps_layer: Path) -> Path:
    """Sits next to the layer folder, not in it, so it never ships inside the layer."""
    return deps_layer.with_name(deps_layer.name + ".lock-sha256")


def deps_layer_is_stale(deps_layer: Path) -> bool:
    """True when the layer was built by `make build` from another uv.lock than the current one."""
    stamp = fingerprint_file(deps_layer)
    return stamp.exists() and stamp.read_text().strip() != lock_fingerprint()


class MissingHandlerError(RuntimeError):
    """A declared function has no handler module under functions/."""


def _replace_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=_IGNORED)


def stage_shared_layer(layout: BuildLayout, source_root: Path = REPO_ROOT) -> Path:
    """Copy the shared/ package to <layer>/python/shared, where Lambda puts it on sys.path (/opt/python)."""
    _replace_tree(source_root / "shared", layout.shared_layer / "python" / "shared")
    return layout.shared_layer


def stage_function(name: str, layout: BuildLayout, source_root: Path = REPO_ROOT, *,
                   allow_missing: bool = False) -> Path:
    """Stage functions/__init__.py and functions/<name>/ only, so each function ships just its own code."""
    source = source_root / "functions" / name
    if not (source / "handler.py").is_file() and not allow_missing:
        raise MissingHandlerError(f"function {name!r} is declared in shared/resources.py but "
                                  f"{source.relative_to(source_root)}/handler.py does not exist")
    target = layout.function(name)
    if target.exists():
        shutil.rmtree(target)
    (target / "functions").mkdir(parents=True)
    shutil.copy2(source_root / "functions" / "__init__.py", target / "functions" / "__init__.py")
    if source.is_dir():
        shutil.copytree(source, target / "functions" / name, ignore=_IGNORED)
    return target


def stage_code(names: Iterable[str], layout: BuildLayout, *, allow_missing: bool = False) -> None:
    """Offline staging of everything but the deps layer; run by the CDK app at synth."""
    stage_shared_layer(layout)
    for name in names:
        stage_function(name, layout, allow_missing=allow_missing)


def build_deps_layer(layout: BuildLayout) -> Path:
    """Install the locked runtime dependencies as arm64 / CPython 3.14 wheels into <layer>/python."""
    target = layout.deps_layer / "python"
    uv = os.environ.get("UV", "uv")  # `uv run` tells its children where uv is; the Makefile may use a local copy
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        subprocess.run([uv, "export", "--frozen", "--no-dev", "--no-default-groups", "--no-emit-project",
                        "--no-hashes", "--quiet", "--output-file", str(requirements)],
                       cwd=REPO_ROOT, check=True)
        if target.exists():
            shutil.rmtree(target)
        subprocess.run([uv, "pip", "install", "--quiet", "--target", str(target),
                        "--python-platform", LAMBDA_PLATFORM, "--python-version", LAMBDA_PYTHON_VERSION,
                        "--only-binary", ":all:", "--no-compile", "-r", str(requirements)],
                       cwd=REPO_ROOT, check=True)
    # Console scripts point at this machine's interpreter and are useless in a layer.
    shutil.rmtree(target / "bin", ignore_errors=True)
    fingerprint_file(layout.deps_layer).write_text(lock_fingerprint() + "\n")
    return layout.deps_layer


def main(argv: list[str] | None = None) -> int:
    from shared import resources  # imported late: only this entry point needs the function list

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument("--skip-deps", action="store_true", help="stage code only (offline)")
    args = parser.parse_args(argv)
    layout = BuildLayout(args.build_dir)
    stage_code((fn.name for fn in resources.FUNCTIONS), layout)
    if not args.skip_deps:
        build_deps_layer(layout)
    print(f"staged {len(resources.FUNCTIONS)} functions and 2 layers under {layout.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
