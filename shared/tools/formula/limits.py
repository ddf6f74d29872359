"""Named limits of the formula language, each with the reason it exists."""

from __future__ import annotations

# A formula is a field option stored in the collection's JSON; Airtable's editor allows about this much, and the
# filter language's limit (3,500) is of the same order.
MAX_FORMULA_LENGTH = 4000

# Nesting depth (parentheses, calls, operators): lark's tree and the evaluator recurse, so no input may exhaust
# the stack.
MAX_NESTING_DEPTH = 48

# Nodes of one parsed formula: bounds the checker's and the evaluator's work per definition.
MAX_NODES = 1000

# Arguments of one call (CONCATENATE, SWITCH, SUM take many): bounds a call's work and its error message.
MAX_FUNCTION_ARGS = 64

# Evaluation steps per record (one per node evaluated, plus one per list item or text repetition a function
# walks): a formula runs inside every write of its collection, so it must stay a small, bounded cost.
MAX_EVALUATION_STEPS = 20_000

# Characters of a text result (REPT, CONCATENATE): a record must fit in one DynamoDB item (400 KB).
MAX_TEXT_LENGTH = 100_000

# Items of a list result (ARRAYFLATTEN of lookups): the same item-size reason.
MAX_LIST_ITEMS = 10_000

# Length of a regular expression pattern (REGEX_*): patterns stay short, and the subject is bounded by
# MAX_TEXT_LENGTH.
MAX_REGEX_LENGTH = 500

# Time one regular expression match may take: a backtracking engine can take exponential time on a crafted
# subject, and the subject is a client's text inside a write.
REGEX_TIMEOUT_S = 0.05
