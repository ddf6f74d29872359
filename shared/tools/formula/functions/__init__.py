"""The formula functions, registered in FUNCTIONS by importing their modules."""

from shared.tools.formula.functions import arrays, dates, logic, numbers, text
from shared.tools.formula.functions.registry import FUNCTIONS, Context, Function

__all__ = ["FUNCTIONS", "Context", "Function", "arrays", "dates", "logic", "numbers", "text"]
