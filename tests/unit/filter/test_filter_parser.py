"""parse_filter: valid forms to their AST, invalid forms to FilterSyntaxError, limits, and to_text."""

from __future__ import annotations

import pytest

from shared.tools.filter import (
    MAX_EXPRESSIONS,
    MAX_FILTER_LENGTH,
    MAX_NESTING_DEPTH,
    And,
    Call,
    Compare,
    FilterSyntaxError,
    Identifier,
    Literal,
    Macro,
    Or,
    parse_filter,
    to_text,
)


def ident(dotted: str, modifier: str | None = None) -> Identifier:
    return Identifier(tuple(dotted.split(".")), modifier)


def eq(left: object, right: object, op: str = "=", any_of: bool = False) -> Compare:
    def operand(value: object) -> object:
        return value if isinstance(value, Identifier | Literal | Macro | Call) else Literal(value)  # type: ignore[arg-type]

    return Compare(operand(left), op, operand(right), any_of)  # type: ignore[arg-type]


VALID = [
    ("simple equality", 'title = "x"', eq(ident("title"), "x")),
    ("no spaces", "a=1", eq(ident("a"), 1)),
    ("single quotes", "a = 'x'", eq(ident("a"), "x")),
    ("escaped double quote", r'a = "say \"hi\""', eq(ident("a"), 'say "hi"')),
    ("escaped single quote", r"a = 'it\'s'", eq(ident("a"), "it's")),
    ("other backslashes kept", r'a = "C:\path"', eq(ident("a"), r"C:\path")),
    ("mixed quotes", "a = \"it's\"", eq(ident("a"), "it's")),
    ("negative int", "a > -14", eq(ident("a"), -14, ">")),
    ("float", "a >= 10.50", eq(ident("a"), 10.5, ">=")),
    ("negative float", "a<-0.5", eq(ident("a"), -0.5, "<")),
    ("true false null", "a = true && b = FALSE && c = null",
     And((eq(ident("a"), True), eq(ident("b"), False), eq(ident("c"), None)))),
    ("literal on the left", '"x" = title', eq("x", ident("title"))),
    ("literal vs literal", "1 = 1", eq(1, 1)),
    ("not equal", "a != b", eq(ident("a"), ident("b"), "!=")),
    ("lte", "a <= 1", eq(ident("a"), 1, "<=")),
    ("like", 'a ~ "x"', eq(ident("a"), "x", "~")),
    ("not like", 'a !~ "x"', eq(ident("a"), "x", "!~")),
    ("any equal", "a ?= 1", eq(ident("a"), 1, "=", True)),
    ("any not equal", "a ?!= 1", eq(ident("a"), 1, "!=", True)),
    ("any gt", "a ?> 1", eq(ident("a"), 1, ">", True)),
    ("any gte", "a ?>= 1", eq(ident("a"), 1, ">=", True)),
    ("any lt", "a ?< 1", eq(ident("a"), 1, "<", True)),
    ("any lte", "a ?<= 1", eq(ident("a"), 1, "<=", True)),
    ("any like", "a ?~ 1", eq(ident("a"), 1, "~", True)),
    ("any not like", "a ?!~ 1", eq(ident("a"), 1, "!~", True)),
    ("and binds tighter than or", "a=1 || b=2 && c=3",
     Or((eq(ident("a"), 1), And((eq(ident("b"), 2), eq(ident("c"), 3)))))),
    ("parentheses", "(a=1 || b=2) && c=3",
     And((Or((eq(ident("a"), 1), eq(ident("b"), 2))), eq(ident("c"), 3)))),
    ("nested same kind flattens", "a=1 && (b=2 && c=3)",
     And((eq(ident("a"), 1), eq(ident("b"), 2), eq(ident("c"), 3)))),
    ("redundant parentheses", "((a=1))", eq(ident("a"), 1)),
    ("comments and newlines", "a = 1 // first\n&& b = 2 // second", And((eq(ident("a"), 1), eq(ident("b"), 2)))),
    ("comment slashes inside text", 'a = "http://x"', eq(ident("a"), "http://x")),
    ("tabs and CRLF", "a = 1\r\n\t&& b = 2", And((eq(ident("a"), 1), eq(ident("b"), 2)))),
    ("relation path", "rel.sub.field = 1", eq(ident("rel.sub.field"), 1)),
    ("back relation", 'comments_via_post.title ~ "x"', eq(ident("comments_via_post.title"), "x", "~")),
    ("json index path", "data.items.0.name = 1", eq(ident("data.items.0.name"), 1)),
    ("request auth", '@request.auth.id != ""', eq(ident("@request.auth.id"), "", "!=")),
    ("request body", "@request.body.x = 1", eq(ident("@request.body.x"), 1)),
    ("request query", "@request.query.x = 1", eq(ident("@request.query.x"), 1)),
    ("request header", '@request.headers.x_token = "t"', eq(ident("@request.headers.x_token"), "t")),
    ("request method", '@request.method = "GET"', eq(ident("@request.method"), "GET")),
    ("request context", '@request.context != "oauth2"', eq(ident("@request.context"), "oauth2", "!=")),
    ("collection", "@collection.posts.title = 1", eq(ident("@collection.posts.title"), 1)),
    ("collection alias", "@collection.posts:p.title = 1",
     eq(Identifier(("@collection", "posts:p", "title")), 1)),
    ("isset", "@request.body.x:isset = true", eq(ident("@request.body.x", "isset"), True)),
    ("length", "tags:length > 1", eq(ident("tags", "length"), 1, ">")),
    ("each", 'tags:each ~ "a"', eq(ident("tags", "each"), "a", "~")),
    ("lower", 'title:lower = "x"', eq(ident("title", "lower"), "x")),
    ("changed", "@request.body.role:changed = false", eq(ident("@request.body.role", "changed"), False)),
    ("modifier on relation path", "rel.tags:length = 0", eq(ident("rel.tags", "length"), 0)),
    ("macro", "created > @now", eq(ident("created"), Macro("@now"), ">")),
    ("every macro", "a = @todayStart || a = @monthEnd || a = @yearEnd || a = @weekday",
     Or((eq(ident("a"), Macro("@todayStart")), eq(ident("a"), Macro("@monthEnd")),
         eq(ident("a"), Macro("@yearEnd")), eq(ident("a"), Macro("@weekday"))))),
    ("geoDistance", "geoDistance(lon, lat, 23.5, -42) < 25",
     eq(Call("geoDistance", (ident("lon"), ident("lat"), Literal(23.5), Literal(-42))), 25, "<")),
    ("geoDistance on the right", "25 > geoDistance(a.lon, a.lat, null, 1)",
     eq(25, Call("geoDistance", (ident("a.lon"), ident("a.lat"), Literal(None), Literal(1))), ">")),
    ("strftime", "strftime('%Y-%m', created) = '2024-05'",
     eq(Call("strftime", (Literal("%Y-%m"), ident("created"))), "2024-05")),
    ("strftime with macro and modifiers", "strftime('%d', @now, '+1 day', 'start of day') = '01'",
     eq(Call("strftime", (Literal("%d"), Macro("@now"), Literal("+1 day"), Literal("start of day"))), "01")),
]


@pytest.mark.parametrize(("name", "text", "expected"), VALID, ids=[case[0] for case in VALID])
def test_valid_filters_parse_to_their_ast(name: str, text: str, expected: object) -> None:
    # Given a valid filter / When parsed / Then the AST is the expected one
    assert parse_filter(text) == expected


INVALID = [
    ("empty", "", "empty"),
    ("only a comment", "// nothing", "empty"),
    ("missing operator", "a", "expected an operator"),
    ("missing right operand", "a =", "ended unexpectedly"),
    ("double operator", "a = = b", "Unexpected operator"),
    ("unknown operator", "a => b", "Invalid operator"),
    ("lone question mark", "a ? b", "Invalid operator"),
    ("unclosed parenthesis", "(a = 1", "closing parenthesis"),
    ("extra closing parenthesis", "a = 1)", "Unexpected ')'"),
    ("empty parentheses", "()", "Empty parentheses"),
    ("dangling and", "a = 1 &&", "ended unexpectedly"),
    ("leading or", "|| a = 1", "Unexpected '||'"),
    ("single ampersand", "a=1 & b=2", "Invalid join operator"),
    ("triple pipe", "a=1 ||| b=2", "Invalid join operator"),
    ("missing join", "a=1 b=2", "expected &&, ||"),
    ("unterminated text", "a = 'x", "never closed"),
    ("text ending in escaped quote", 'a = "x\\"', "never closed"),
    ("trailing dot number", "a = 5.", "Invalid number"),
    ("two dots number", "a = 1.2.3", "Invalid number"),
    ("lone minus", "a = -", "Unexpected character"),
    ("single slash", "a = 1 / 2", "Unexpected character"),
    ("unicode identifier", "é = 1", "Unexpected character"),
    ("empty segment", "a..b = 1", "empty path segment"),
    ("trailing dot identifier", "a. = 1", "empty path segment"),
    ("unknown modifier", "a:upper = 1", "Unknown modifier"),
    ("modifier mid path", "a:lower.b = 1", "Invalid identifier"),
    ("two modifiers", "a:lower:each = 1", "Unknown modifier"),
    ("hash identifier", "#a = 1", "Invalid identifier"),
    ("unknown at identifier", "@foo = 1", "Unknown identifier"),
    ("unknown request section", "@request.data.x = 1", "Invalid request identifier"),
    ("request auth without key", "@request.auth = 1", "Invalid request identifier"),
    ("request method with key", "@request.method.x = 1", "Invalid request identifier"),
    ("collection without field", "@collection.posts = 1", "Invalid collection identifier"),
    ("collection bad alias", "@collection.posts:.x = 1", "Invalid collection identifier"),
    ("macro with path", "@now.x = 1", "takes no path"),
    ("macro with modifier", "@now:lower = 1", "takes no path"),
    ("unknown function", "foo(a) = 1", "Unknown function"),
    ("geoDistance arity", "geoDistance(1, 2, 3) < 1", "expects 4 arguments"),
    ("geoDistance text argument", "geoDistance('a', 2, 3, 4) < 1", "must be a field or a number"),
    ("geoDistance macro argument", "geoDistance(@now, 2, 3, 4) < 1", "must be a field or a number"),
    ("nested calls", "geoDistance(geoDistance(1,2,3,4), 2, 3, 4) < 1", "cannot be nested"),
    ("strftime without format", "strftime() = 1", "quoted format"),
    ("strftime field format", "strftime(a, b) = 1", "quoted format"),
    ("strftime field modifier", "strftime('%Y', b, c) = 1", "modifiers"),
    ("unclosed call", "strftime('%Y', b = 1", "comma or the closing parenthesis"),
    ("number too large", "a = " + "9" * 400 + ".5", "too large"),
]


@pytest.mark.parametrize(("name", "text", "fragment"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_filters_raise_a_sentence(name: str, text: str, fragment: str) -> None:
    # Given an invalid filter / When parsed / Then a FilterSyntaxError explains why in a sentence
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text)
    assert fragment in caught.value.message
    assert caught.value.message.endswith(".")


def test_filter_at_the_length_limit_parses_and_one_more_character_fails() -> None:
    # Given a filter of exactly MAX_FILTER_LENGTH characters
    prefix = 'a = "'
    at_limit = prefix + "x" * (MAX_FILTER_LENGTH - len(prefix) - 1) + '"'
    assert len(at_limit) == MAX_FILTER_LENGTH == 3500
    # When parsed / Then it is accepted, and one character more is rejected
    assert isinstance(parse_filter(at_limit), Compare)
    with pytest.raises(FilterSyntaxError, match="too long"):
        parse_filter(at_limit + " ")


def test_expression_limit_allows_200_and_rejects_201() -> None:
    # Given 200 and 201 comparisons
    assert MAX_EXPRESSIONS == 200
    allowed = " && ".join(["a=1"] * MAX_EXPRESSIONS)
    # When parsed / Then 200 pass and 201 fail
    assert len(parse_filter(allowed).items) == 200  # type: ignore[union-attr]
    with pytest.raises(FilterSyntaxError, match="too many expressions"):
        parse_filter(allowed + " || b=2")


def test_nesting_depth_is_limited() -> None:
    # Given filters nested exactly to, and one past, the depth limit
    at_limit = "(" * MAX_NESTING_DEPTH + "a=1" + ")" * MAX_NESTING_DEPTH
    too_deep = "(" + at_limit + ")"
    # When parsed / Then the first parses and the second is a syntax error, not a RecursionError
    assert parse_filter(at_limit) == eq(ident("a"), 1)
    with pytest.raises(FilterSyntaxError, match="too deeply"):
        parse_filter(too_deep)
    with pytest.raises(FilterSyntaxError):
        parse_filter("(" * 1700)


def test_non_string_input_is_a_syntax_error() -> None:
    with pytest.raises(FilterSyntaxError):
        parse_filter(None)  # type: ignore[arg-type]


def test_collection_alias_helpers() -> None:
    # Given an aliased and a plain @collection identifier
    aliased = Identifier(("@collection", "posts:p", "title"))
    plain = Identifier(("@collection", "posts", "title"))
    # Then name and alias are split out for the planner
    assert (aliased.collection_name, aliased.collection_alias) == ("posts", "p")
    assert (plain.collection_name, plain.collection_alias) == ("posts", "posts")
    assert ident("title").collection_name is None


CANONICAL = [
    ('a=1&&(b="x"||c!~-2.5)', 'a = 1 && (b = "x" || c !~ -2.5)'),
    ("a ?= 'say \"hi\"'", "a ?= 'say \"hi\"'"),
    ("a=1||b=2&&c=3", "a = 1 || b = 2 && c = 3"),
    ("x:lower=TRUE // c", "x:lower = true"),
    ("geoDistance(a,b,1,2)<3", "geoDistance(a, b, 1, 2) < 3"),
    ("a = 1.0", "a = 1.0"),
    ("a = 0.0000001", "a = 0.0000001"),
]


@pytest.mark.parametrize(("text", "canonical"), CANONICAL)
def test_to_text_prints_canonical_text_that_parses_back(text: str, canonical: str) -> None:
    # Given a parsed filter / When printed / Then the text is canonical and parses to the same AST
    expr = parse_filter(text)
    assert to_text(expr) == canonical == str(expr)
    assert parse_filter(canonical) == expr


def test_literals_of_different_types_are_different_nodes() -> None:
    # Python says True == 1 == 1.0; the AST must not
    assert parse_filter("a = true") != parse_filter("a = 1") != parse_filter("a = 1.0")
    assert len({Literal(True), Literal(1), Literal(1.0), Literal("1")}) == 4
