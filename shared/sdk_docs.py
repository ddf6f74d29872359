"""botocore's documentation machinery, loaded when a docstring is read rather than when a client is built.

botocore.session imports `botocore.docs.utils` (for its handlers) and botocore.client imports
`botocore.docs.docstring`; the first runs `botocore/docs/__init__.py`, which imports the whole reference
generator (ServiceDocumenter, the reST writer, html.parser and more), and the second imports the reST writer
too. None of it runs unless someone reads a client method's `__doc__` (help()), yet the imports are about a
tenth of a function's cold start. `defer()`, called before botocore.session is first imported, puts two stand-ins
in `sys.modules`:

- the `botocore.docs` package, with its real `__path__` (so `botocore.docs.utils`, a small module, imports as
  usual) and its `__init__` run on the first attribute it lacks (e.g. `generate_docs`);
- `botocore.docs.docstring`, whose docstring classes keep their arguments, as botocore's own do until read, and
  build botocore's real docstring from them when read (the real module is imported then).

A client built this way is the client botocore builds; only the moment its documentation modules load moves.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

PACKAGE = "botocore.docs"
DOCSTRING = "botocore.docs.docstring"
# The docstring classes botocore.client and botocore.waiter import.
_CLASSES = ("ClientMethodDocstring", "PaginatorDocstring", "WaiterDocstring")


class _DeferredPackage(ModuleType):
    """`botocore.docs` with its `__init__` not run yet: it runs, in this module, on the first name it lacks."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        spec = self.__spec__
        assert spec is not None and spec.loader is not None
        self.__class__ = ModuleType  # type: ignore[assignment]  # run once; then it is botocore's own
        spec.loader.exec_module(self)
        return getattr(self, name)


def _real_docstring_module() -> ModuleType:
    """botocore's own docstring module, imported in place of the stand-in the first time a docstring is read."""
    if getattr(sys.modules.get(DOCSTRING), "_stand_in", False):
        del sys.modules[DOCSTRING]
    return importlib.import_module(DOCSTRING)


class _DeferredDocstring(str):
    """A docstring kept as its arguments (a str subclass, as botocore's are) until it is read."""

    _class_name = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> _DeferredDocstring:
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._arguments = (args, kwargs)
        self._text: str | None = None

    def _read(self) -> str:
        if self._text is None:
            args, kwargs = self._arguments
            self._text = str(getattr(_real_docstring_module(), self._class_name)(*args, **kwargs))
        return self._text

    # help() reads a docstring through inspect.cleandoc, which calls expandtabs (as botocore's own class notes)
    def expandtabs(self, tabsize: int = 8) -> str:  # type: ignore[override]
        return self._read().expandtabs(tabsize)

    def __str__(self) -> str:
        return self._read()

    __repr__ = __str__


def _docstring_stand_in() -> ModuleType:
    module = ModuleType(DOCSTRING, "botocore's docstring classes, deferred (shared.sdk_docs)")
    module._stand_in = True  # type: ignore[attr-defined]
    for name in _CLASSES:
        setattr(module, name, type(name, (_DeferredDocstring,), {"_class_name": name, "__module__": DOCSTRING}))
    return module


def defer() -> None:
    """Install the stand-ins, unless botocore's documentation or client is loaded already (then nothing is left
    to save, and the real modules stay)."""
    if PACKAGE in sys.modules or "botocore.client" in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        return
    package = _DeferredPackage(PACKAGE)
    package.__spec__, package.__path__ = spec, list(spec.submodule_search_locations)
    package.__file__, package.__loader__, package.__package__ = spec.origin, spec.loader, PACKAGE
    sys.modules[PACKAGE] = package
    sys.modules[DOCSTRING] = docstring = _docstring_stand_in()
    # What an import binds on the parent, as for any submodule: `import botocore.docs` then finds it
    sys.modules["botocore"].docs = package  # type: ignore[attr-defined]
    package.docstring = docstring  # type: ignore[attr-defined]
