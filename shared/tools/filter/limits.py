"""Named limits of the filter, sort and fields languages (PocketBase's values where it has them)."""

from __future__ import annotations

# PocketBase rejects longer filters before parsing them.
MAX_FILTER_LENGTH = 3500

# Count of comparison expressions (`a = b`), as PocketBase's DefaultFilterExprLimit.
MAX_EXPRESSIONS = 200

# Parenthesis depth; PocketBase has none, we need one so that no input can exhaust the stack.
MAX_NESTING_DEPTH = 32

# Arguments of one function call; geoDistance needs 4, strftime a few modifiers.
MAX_FUNCTION_ARGS = 16

# Sort keys per request.
MAX_SORT_KEYS = 8

# Value combinations a function call may expand into when its arguments are multi-valued.
MAX_FUNCTION_COMBINATIONS = 10_000
