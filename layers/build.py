"""Stages Lambda code under .build/: the deps layer from uv.lock, the shared layer and one folder per function.

`make build` runs this module; it needs PyPI for the deps layer. The CDK app calls the offline part,
`stage_code`, on every synth so that function and shared code are never stale.

Everything staged ships with byte code compiled by an interpreter of the runtime's version: Lambda cannot write
`__pycache__` (its code folders are read-only), so a layer without `.pyc` compiles every module it imports on
every cold start, which costs about as much as the import itself.
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

from layers.sdk_models import SERVICES as SDK_SERVICES
from layers.sdk_models import write_sdk_models

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUILD_DIR = REPO_ROOT / ".build"

# Lambda's python3.14 runtime is Amazon Linux 2023 (glibc 2.34) on Graviton. manylinux2014 (glibc 2.17) would
# be too strict: some locked wheels (argon2-cffi-bindings 26) are only published as manylinux_2_28.
LAMBDA_PYTHON_VERSION = "3.14"
LAMBDA_PLATFORM = "aarch64-manylinux_2_34"

# Never shipped: byte code compiled on this machine (by whatever interpreter ran the tests), test leftovers.
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache", ".pytest_cache")

# Hash-based and never checked against the source: a layer is immutable, and a timestamp check would depend on
# the modification times the asset zip keeps (DOS times, 2 s resolution), missing the .pyc whenever they differ.
BYTECODE_INVALIDATION = "unchecked-hash"
# Where Lambda mounts each asset, so tracebacks name the deployed files rather than this machine's build folder.
LAYER_MOUNT = "/opt"
FUNCTION_MOUNT = "/var/task"


class LambdaPythonMissingError(RuntimeError):
    """No interpreter of the runtime's Python version to compile the shipped byte code with."""


def lambda_python() -> str | None:
    """An interpreter of LAMBDA_PYTHON_VERSION: LB_LAMBDA_PYTHON, `python3.14` on PATH, or uv's managed one.

    A `.pyc` is only read by the minor version that wrote it, so no other interpreter can compile for Lambda.
    """
    explicit = os.environ.get("LB_LAMBDA_PYTHON")
    if explicit:
        return explicit
    on_path = shutil.which(f"python{LAMBDA_PYTHON_VERSION}")
    if on_path:
        return on_path
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        return None
    found = subprocess.run([uv, "python", "find", "--no-project", LAMBDA_PYTHON_VERSION], capture_output=True,
                           text=True, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"})
    if found.returncode != 0:
        return None
    return found.stdout.strip() or None


def compile_bytecode(tree: Path, python: str, *, mount: str | None = None) -> None:
    """Compile every module under `tree` with `python`, hash-based, as the runtime will import them."""
    command = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", BYTECODE_INVALIDATION]
    if mount is not None:
        command += ["-s", str(tree), "-p", mount]
    subprocess.run([*command, str(tree)], check=True, capture_output=True)


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
    """What the deps layer is built from: uv.lock, the target platform and the services it carries models of."""
    digest = hashlib.sha256((source_root / "uv.lock").read_bytes())
    digest.update(f"{LAMBDA_PLATFORM} {LAMBDA_PYTHON_VERSION} {' '.join(SDK_SERVICES)}".encode())
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


def stage_shared_layer(layout: BuildLayout, source_root: Path = REPO_ROOT, *, python: str | None = None) -> Path:
    """Copy the shared/ package to <layer>/python/shared, where Lambda puts it on sys.path (/opt/python).

    With `python`, an interpreter of the runtime's version, the layer also gets its byte code.
    """
    _replace_tree(source_root / "shared", layout.shared_layer / "python" / "shared")
    if python is not None:
        compile_bytecode(layout.shared_layer, python, mount=LAYER_MOUNT)
    return layout.shared_layer


def stage_function(name: str, layout: BuildLayout, source_root: Path = REPO_ROOT, *,
                   allow_missing: bool = False, python: str | None = None) -> Path:
    """Stage functions/__init__.py and functions/<name>/ only, so each function ships just its own code.

    With `python`, an interpreter of the runtime's version, the function also gets its byte code.
    """
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
    if python is not None:
        compile_bytecode(target, python, mount=FUNCTION_MOUNT)
    return target


def stage_code(names: Iterable[str], layout: BuildLayout, *, allow_missing: bool = False,
               python: str | None = None) -> None:
    """Offline staging of everything but the deps layer; run by the CDK app at synth.

    Byte code is compiled with `python`, else with the runtime's interpreter when this machine has one; without
    either the code ships as source only, and a warning says what that costs.
    """
    python = python or lambda_python()
    if python is None:
        print(f"warning: no Python {LAMBDA_PYTHON_VERSION} found (set LB_LAMBDA_PYTHON): function and shared code "
              "ship without byte code, and every cold start compiles it", file=sys.stderr)
    stage_shared_layer(layout, python=python)
    for name in names:
        stage_function(name, layout, allow_missing=allow_missing, python=python)


def build_deps_layer(layout: BuildLayout, python: str) -> Path:
    """Install the locked runtime dependencies as arm64 / CPython 3.14 wheels into <layer>/python, compiled, with
    the trimmed SDK models of the botocore installed there."""
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
    write_sdk_models(target)
    # Not uv's --compile-bytecode: it compiles with the interpreter uv runs under, not the runtime's version.
    compile_bytecode(layout.deps_layer, python, mount=LAYER_MOUNT)
    fingerprint_file(layout.deps_layer).write_text(lock_fingerprint() + "\n")
    return layout.deps_layer


def main(argv: list[str] | None = None) -> int:
    from shared import resources  # imported late: only this entry point needs the function list

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument("--skip-deps", action="store_true", help="stage code only (offline)")
    args = parser.parse_args(argv)
    layout = BuildLayout(args.build_dir)
    python = lambda_python()
    if python is None and not args.skip_deps:
        raise LambdaPythonMissingError(f"the layers ship byte code for Python {LAMBDA_PYTHON_VERSION}: install it "
                                       f"(`uv python install {LAMBDA_PYTHON_VERSION}`) or set LB_LAMBDA_PYTHON")
    stage_code((fn.name for fn in resources.FUNCTIONS), layout, python=python)
    if not args.skip_deps and python is not None:
        build_deps_layer(layout, python)
    print(f"staged {len(resources.FUNCTIONS)} functions and 2 layers under {layout.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
