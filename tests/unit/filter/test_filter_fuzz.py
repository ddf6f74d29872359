"""Fuzz: any text parses or raises FilterSyntaxError; anything parsed evaluates or raises FilterEvaluationError."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.tools.filter import (
    MAX_FILTER_LENGTH,
    And,
    Call,
    Compare,
    Expr,
    FilterEvaluationError,
    FilterSyntaxError,
    Identifier,
    Literal,
    Macro,
    Or,
    Resolved,
    apply_fields,
    evaluate,
    parse_fields,
    parse_filter,
    parse_sort,
    to_text,
)
from shared.tools.filter.identifiers import MACRO_NAMES

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2024, 5, 15, 12, 34, 56, 789_000, tzinfo=UTC)

KNOWN_PATHS = [
    "title", "views", "tags", "rel.name", "comments_via_post.text", "@request.auth.id", "@request.body.x",
    "@request.query.q", "@request.headers.x_token", "@request.method", "@collection.c:al.f", "data.items.0",
]
IDENTIFIERS = [
    Identifier(tuple(path.split(".")), modifier)
    for path in KNOWN_PATHS
    for modifier in (None, "isset", "length", "each", "lower", "changed")
]

scalar_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),  # NaN and infinities included on purpose
    st.text(max_size=12),
    st.sampled_from(["", "%", "_", "\\", "1e999", " 42 ", "2024-05-01 10:00:00.000Z", "now", "12:30"]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.just({"k": [1, "a"]}),
    st.just(b"bytes"),
)
resolver_values = st.dictionaries(
    keys=st.sampled_from(KNOWN_PATHS),
    values=st.one_of(scalar_values, st.lists(scalar_values, max_size=4)),
)


class FuzzResolver:
    """Lists are multi-valued; unknown record fields are an evaluation error, unknown @request keys null."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def resolve(self, identifier: Identifier) -> Resolved:
        key = identifier.dotted
        if key not in self.values:
            if identifier.is_request:
                return Resolved([], multi=False, exists=False)
            raise FilterEvaluationError(f"Unknown field {key!r}.")
        value = self.values[key]
        if isinstance(value, list):
            return Resolved(value, multi=True)
        return Resolved([value], multi=False)


def assert_evaluates_cleanly(expr: Expr, values: dict[str, Any]) -> None:
    try:
        result = evaluate(expr, FuzzResolver(values), now=NOW)
    except FilterEvaluationError as error:
        assert error.message
    else:
        assert isinstance(result, bool)


def parse_or_syntax_error(text: str) -> Expr | None:
    try:
        expr = parse_filter(text)
    except FilterSyntaxError as error:
        assert error.message.strip()
        return None
    assert isinstance(expr, And | Or | Compare)
    return expr


@FUZZ
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_a_syntax_error(text: str) -> None:
    parse_or_syntax_error(text)


TOKENS = [
    "title", "tags", "rel.name", "@request.auth.id", "@request.body.x:isset", "@request.body.x:changed",
    "@collection.c:al.f", "tags:length", "tags:each", "title:lower", "a:bogus", "@now", "@yesterday",
    "@monthEnd", "@weekday", "true", "NULL", "false", "data.items.0", "@request.method", "@request.bad",
    "1", "-2.5", "3.", "0", "99999999999999999999", '"x"', "'%a_'", '"\\"q\\""', "'\\\\'", '"', "''",
    "=", "!=", ">", ">=", "<", "<=", "~", "!~", "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~",
    "=>", "?", "!", "&&", "||", "&", "|", "(", ")", ",", "geoDistance(", "strftime(", "'%Y'", "'+1 day'",
    "// note\n", "\n", "\t", "é", "#", "/",
]


OPERAND_TOKENS = [
    "title", "tags", "rel.name", "@request.auth.id", "@request.body.x:isset", "@request.body.x:changed",
    "@collection.c:al.f", "tags:length", "tags:each", "title:lower", "@now", "@monthEnd", "@weekday", "true",
    "NULL", "data.items.0", "@request.method", "1", "-2.5", "0", "99999999999999999999", '"x"', "'%a_'",
    '"\\"q\\""', "''", "geoDistance(lon, lat, 1, -2)", "strftime('%Y-%m', created, '+1 day')", "strftime('%s')",
]
SIGN_TOKENS = ["=", "!=", ">", ">=", "<", "<=", "~", "!~", "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~"]


@st.composite
def grammar_like_tokens(draw: st.DrawFn) -> list[str]:
    """Mostly well-formed token lists (comparisons, joins, parentheses) with a few random mutations."""
    tokens: list[str] = []
    comparisons = draw(st.integers(min_value=1, max_value=6))
    for index in range(comparisons):
        if index:
            tokens.append(draw(st.sampled_from(["&&", "||"])))
        tokens += [draw(st.sampled_from(OPERAND_TOKENS)), draw(st.sampled_from(SIGN_TOKENS)),
                   draw(st.sampled_from(OPERAND_TOKENS))]
    if draw(st.booleans()):  # parenthesize a run of whole comparisons (each takes 4 tokens with its join)
        first = draw(st.integers(min_value=0, max_value=comparisons - 1))
        last = draw(st.integers(min_value=first, max_value=comparisons - 1))
        tokens = [*tokens[: 4 * first], "(", *tokens[4 * first : 4 * last + 3], ")", *tokens[4 * last + 3 :]]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        position = draw(st.integers(min_value=0, max_value=len(tokens)))
        action = draw(st.sampled_from(["insert", "replace", "delete"]))
        if action == "insert":
            tokens.insert(position, draw(st.sampled_from(TOKENS)))
        elif position < len(tokens):
            if action == "replace":
                tokens[position] = draw(st.sampled_from(TOKENS))
            else:
                del tokens[position]
    return tokens


@FUZZ
@given(
    st.one_of(st.lists(st.sampled_from(TOKENS), max_size=40), grammar_like_tokens()),
    st.lists(st.sampled_from([" ", " ", " ", "", "\n"]), min_size=60, max_size=60),
    resolver_values,
)
def test_token_streams_parse_cleanly_and_evaluate_cleanly(
    tokens: list[str], separators: list[str], values: dict[str, Any]
) -> None:
    text = "".join(token + separator for token, separator in zip(tokens, separators, strict=False))
    expr = parse_or_syntax_error(text)
    if expr is not None:
        assert_evaluates_cleanly(expr, values)


# ---------------------------------------------------------------- well-formed ASTs

# No backslashes: a text ending in one cannot be quoted (see to_text); surrogates are not valid text.
safe_text = st.text(alphabet=st.characters(exclude_characters="\\", exclude_categories=["Cs"]), max_size=10)
literals = st.builds(
    Literal,
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=False, allow_infinity=False),
        safe_text,
    ),
)
numbers = st.builds(Literal, st.one_of(st.integers(-180, 180), st.floats(-180, 180), st.none()))


def identifier_at(index: int) -> Identifier:
    return IDENTIFIERS[index]


# Sampling indexes keeps the strategy's repr short (Hypothesis warns about huge reprs).
identifiers = st.integers(min_value=0, max_value=len(IDENTIFIERS) - 1).map(identifier_at)
macros = st.sampled_from(sorted(MACRO_NAMES)).map(Macro)
calls = st.one_of(
    st.builds(lambda *args: Call("geoDistance", args), *[st.one_of(identifiers, numbers)] * 4),
    st.builds(
        lambda fmt, value, modifiers: Call("strftime", (Literal(fmt), value, *modifiers)),
        st.sampled_from(["%Y-%m-%d", "%H:%M:%f", "%s", "%J %W", "%Q", "%"]),
        st.one_of(identifiers, macros, literals),
        st.lists(st.sampled_from(["+1 day", "-2 months", "start of month", "weekday 1", "bogus"]).map(Literal),
                 max_size=2),
    ),
)
operands = st.one_of(identifiers, literals, macros, calls)
compares = st.builds(
    Compare, operands, st.sampled_from(["=", "!=", ">", ">=", "<", "<=", "~", "!~"]), operands, st.booleans()
)
expressions = st.recursive(
    compares,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda items: And(tuple(items))),
        st.lists(children, min_size=2, max_size=3).map(lambda items: Or(tuple(items))),
    ),
    max_leaves=12,
)


def flattened(expr: Expr) -> Expr:
    """The parser's normal form: no And directly inside And, no Or directly inside Or."""
    if isinstance(expr, Compare):
        return expr
    items: list[Expr] = []
    for item in (flattened(item) for item in expr.items):
        items.extend(item.items if isinstance(item, And | Or) and type(item) is type(expr) else (item,))
    return type(expr)(tuple(items))


@FUZZ
@given(expressions, resolver_values)
def test_printed_asts_parse_back_and_evaluate_cleanly(expr: Expr, values: dict[str, Any]) -> None:
    text = to_text(expr)
    if len(text) <= MAX_FILTER_LENGTH:
        assert parse_filter(text) == flattened(expr)
    assert_evaluates_cleanly(expr, values)


# ---------------------------------------------------------------- sort and fields


@FUZZ
@given(st.text(max_size=80))
def test_sort_and_fields_parse_or_raise_syntax_errors(text: str) -> None:
    for parse in (parse_sort, parse_fields):
        try:
            parse(text)
        except FilterSyntaxError as error:
            assert error.message.strip()


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.decimals(allow_nan=False)),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["id", "name", "expand", "author", "*", "a.b"]), children, max_size=3),
    ),
    max_leaves=10,
)
field_specs = st.lists(
    st.sampled_from(["*", "id", "name", "expand", "expand.author", "expand.author.name", "expand.*",
                     "name:excerpt(5,true)", "expand.author.name:excerpt(3)"]),
    max_size=4,
).map(",".join)


@FUZZ
@given(st.dictionaries(st.sampled_from(["id", "name", "expand", "html"]), json_values, max_size=4), field_specs)
def test_apply_fields_never_fails_on_json_records(record: dict[str, Any], fields: str) -> None:
    projected = apply_fields(record, parse_fields(fields))
    assert set(projected) <= set(record)


def test_fuzz_value_pool_covers_awkward_types() -> None:
    # The pools above must keep the types that once broke comparisons (NaN decimals, bytes, huge numbers).
    resolver = FuzzResolver({"title": Decimal("sNaN"), "views": b"x", "tags": [10**30, float("inf")]})
    assert_evaluates_cleanly(parse_filter("title = 1 || views ~ 'x' || tags > 1"), resolver.values)
