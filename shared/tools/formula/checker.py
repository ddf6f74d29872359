"""Checking a parsed formula against its fields and the function table, inferring its result type.

Definition errors, each with the position of the offending part: an unknown field, an unknown function, the
wrong number of arguments, a type mismatch. Airtable coerces freely (text to numbers and dates, anything to
text), so a mismatch is only what can never work: arithmetic on dates or lists, a date where a number is
needed, a number or a truth value where a date is needed.
"""

from __future__ import annotations

from shared.tools.formula.ast import Call, Chain, FieldRef, Negate, Node, Number, Text
from shared.tools.formula.errors import FormulaDefinitionError
from shared.tools.formula.functions import FUNCTIONS
from shared.tools.formula.resolver import FormulaResolver
from shared.tools.formula.types import ANY, BOOL, NUMBER, TEXT, ValueType

_INCOMPATIBLE = {"number": ("date",), "date": ("number", "bool")}


class Checker:
    def __init__(self, text: str, resolver: FormulaResolver) -> None:
        self.text = text
        self.resolver = resolver

    def error(self, message: str, pos: int, code: str) -> FormulaDefinitionError:
        return FormulaDefinitionError(message, pos, code=code, text=self.text)

    def check(self, node: Node) -> ValueType:
        if isinstance(node, Number):
            return NUMBER
        if isinstance(node, Text):
            return TEXT
        if isinstance(node, FieldRef):
            found = self.resolver.field_type(node.name)
            if found is None:
                raise self.error(f"Unknown field {{{node.name}}}.", node.pos, "formula_unknown_field")
            return found
        if isinstance(node, Negate):
            self.expect(self.check(node.operand), "number", node.operand.pos, "-")
            return NUMBER
        if isinstance(node, Chain):
            return self.chain(node)
        return self.call(node)

    def expect(self, found: ValueType, kind: str, pos: int, where: str) -> None:
        if kind == "numbers":  # an aggregate's argument: a number or a list (a lookup) of them
            found, kind = (found.item or ANY) if found.is_list else found, "number"
        elif kind == "number" and found.is_list:
            raise self.error(f"{where} needs a number, not a {found}.", pos, "formula_type_mismatch")
        if found.kind in _INCOMPATIBLE.get(kind, ()):
            raise self.error(f"{where} needs a {kind}, not a {found}.", pos, "formula_type_mismatch")

    def chain(self, node: Chain) -> ValueType:
        result = self.check(node.first)
        left_pos = node.first.pos
        for op, operand, op_pos in node.rest:
            right = self.check(operand)
            if op in ("+", "-", "*", "/"):
                for side, pos in ((result, left_pos), (right, operand.pos)):
                    if side.kind == "text":
                        continue  # numeric text is coerced at evaluation time; other text is #ERROR there
                    self.expect(side, "number", pos, f"The operator {op!r}")
                result = NUMBER
            elif op == "&":
                result = TEXT
            else:
                result = BOOL
            left_pos = op_pos
        return result

    def call(self, node: Call) -> ValueType:
        function = FUNCTIONS.get(node.name)
        if function is None:
            raise self.error(f"Unknown function {node.name}().", node.pos, "formula_unknown_function")
        count = len(node.args)
        if count < function.min_args or (function.max_args is not None and count > function.max_args):
            raise self.error(f"{node.name}() takes {function.arity_text()}, not {count}.", node.pos,
                             "formula_wrong_arity")
        types = []
        for index, arg in enumerate(node.args):
            found = self.check(arg)
            kind = function.param(index)
            if kind in _INCOMPATIBLE or kind == "numbers":
                self.expect(found, kind, arg.pos, f"Argument {index + 1} of {node.name}()")
            types.append(found)
        return function.result_type(types) if types or function.min_args == 0 else ANY


def check_formula(text: str, node: Node, resolver: FormulaResolver) -> ValueType:
    """The formula's result type; raises FormulaDefinitionError for the first problem found."""
    return Checker(text, resolver).check(node)
