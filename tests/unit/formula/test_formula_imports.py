"""Cold starts: loading the field types (and the records' presenter) loads neither lark nor the formula evaluator."""

from __future__ import annotations

import subprocess
import sys


def test_field_types_load_without_the_formula_engine() -> None:
    # Given a fresh interpreter, When it imports what every records function imports at init
    probe = ("import sys, shared.collections.fields, shared.records.validation; "
             "print(sorted(m for m in ('lark', 'regex', 'shared.tools.formula.checker', "
             "'shared.tools.formula.evaluate', 'shared.tools.formula.functions') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    # Then none of the formula engine's modules were loaded
    assert loaded.strip() == "[]"
