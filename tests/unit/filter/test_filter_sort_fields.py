"""parse_sort, parse_fields / apply_fields and the excerpt modifier."""

from __future__ import annotations

import pytest

from shared.tools.filter import (
    MAX_SORT_KEYS,
    Excerpt,
    FieldSelector,
    FieldsSpec,
    FilterSyntaxError,
    SortKey,
    apply_fields,
    parse_fields,
    parse_sort,
)
from shared.tools.filter.excerpt import make_excerpt

# ---------------------------------------------------------------- sort


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ("created", [SortKey(("created",), False)]),
        ("-created", [SortKey(("created",), True)]),
        ("+title", [SortKey(("title",), False)]),
        ("-created, title ,+id", [SortKey(("created",), True), SortKey(("title",)), SortKey(("id",))]),
        ("author.name", [SortKey(("author", "name"))]),
        ("@random", [SortKey(("@random",))]),
        ("-@rowid", [SortKey(("@rowid",), True)]),
        ("data.items.0", [SortKey(("data", "items", "0"))]),
    ],
)
def test_parse_sort(text: str, expected: list[SortKey]) -> None:
    assert parse_sort(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a,,b", "Empty sort field"),
        ("-", "Empty sort field"),
        ("--a", "Invalid sort field"),
        ("a b", "Invalid sort field"),
        ("@request.auth.id", "Invalid sort field"),
        ("a.", "Invalid sort field"),
        ("title:lower", "Invalid sort field"),
        (",".join(["a"] * (MAX_SORT_KEYS + 1)), "Too many sort keys"),
        ("a" * 4000, "too long"),
    ],
)
def test_invalid_sort_raises(text: str, fragment: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_sort(text)
    assert fragment in caught.value.message


def test_sort_allows_exactly_max_keys_and_prints_back() -> None:
    keys = parse_sort(",".join(f"-k{index}" for index in range(MAX_SORT_KEYS)))
    assert len(keys) == MAX_SORT_KEYS == 8
    assert str(keys[0]) == "-k0"


# ---------------------------------------------------------------- fields


def test_parse_fields_with_excerpt_and_nested_paths() -> None:
    spec = parse_fields(" *, expand.author.name ,description:excerpt(200, true),body:excerpt(10)")
    assert spec == FieldsSpec((
        FieldSelector(("*",)),
        FieldSelector(("expand", "author", "name")),
        FieldSelector(("description",), Excerpt(200, True)),
        FieldSelector(("body",), Excerpt(10, False)),
    ))


def test_parse_fields_empty_means_everything() -> None:
    assert parse_fields("") == FieldsSpec(())
    record = {"a": 1, "b": {"c": 2}}
    assert apply_fields(record, parse_fields(" , ")) == record


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a:upper", "Unknown modifier"),
        ("a:excerpt", "expects (max, withEllipsis?)"),
        ("a:excerpt()", "expects (max, withEllipsis?)"),
        ("a:excerpt(1,2,3)", "expects (max, withEllipsis?)"),
        ("a:excerpt(0)", "greater than 0"),
        ("a:excerpt(abc)", "greater than 0"),
        ("a:excerpt(-5)", "greater than 0"),
        ("a:excerpt(10", "Unbalanced"),
        ("a)", "Unbalanced"),
        ("a..b", "Invalid field"),
        ("a b", "Invalid field"),
        ("x" * 4000, "too long"),
    ],
)
def test_invalid_fields_raise(text: str, fragment: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_fields(text)
    assert fragment in caught.value.message


RECORD = {
    "id": "r1",
    "title": "Hello",
    "description": "<p>Lorem <b>ipsum</b></p><p>dolor sit amet</p>",
    "tags": ["a", "b"],
    "expand": {
        "author": {"id": "u1", "name": "Ann", "email": "ann@example.com"},
        "comments_via_post": [
            {"id": "c1", "text": "first", "likes": 1},
            {"id": "c2", "text": "second", "likes": 2},
        ],
    },
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("id,title", {"id": "r1", "title": "Hello"}),
        ("id,missing", {"id": "r1"}),
        ("expand.author.name", {"expand": {"author": {"name": "Ann"}}}),
        (
            "id,expand.comments_via_post.text",
            {"id": "r1", "expand": {"comments_via_post": [{"text": "first"}, {"text": "second"}]}},
        ),
        (
            "*,expand.author.id",
            {k: v for k, v in RECORD.items() if k != "expand"} | {"expand": {"author": {"id": "u1"}}},
        ),
        ("expand,expand.author.name", {"expand": RECORD["expand"]}),
        ("expand.*", {"expand": RECORD["expand"]}),
        ("expand.author.*,expand.author.email:excerpt(3,true)",
         {"expand": {"author": {"id": "u1", "name": "Ann", "email": "ann..."}}}),
        ("description:excerpt(11)", {"description": "Lorem ipsum"}),
        ("description:excerpt(12,true)", {"description": "Lorem ipsum..."}),
        ("description:excerpt(100,true)", {"description": "Lorem ipsum dolor sit amet"}),
        ("tags:excerpt(1)", {"tags": ["a", "b"]}),  # non-text values pass through
        ("title.sub", {"title": "Hello"}),  # a scalar cannot be projected further
        ("title:excerpt(2),title", {"title": "Hello"}),  # the last repeat wins
    ],
)
def test_apply_fields_projects_records(fields: str, expected: dict[str, object]) -> None:
    # Given a record with nested expands / When projected / Then only the requested paths remain
    assert apply_fields(RECORD, parse_fields(fields)) == expected


def test_apply_fields_does_not_mutate_the_input() -> None:
    before = repr(RECORD)
    apply_fields(RECORD, parse_fields("id,expand.author.name,description:excerpt(5)"))
    assert repr(RECORD) == before


@pytest.mark.parametrize(
    ("html", "max_length", "ellipsis", "expected"),
    [
        ("plain text", 100, False, "plain text"),
        ("  lots \n\n of\t space  ", 100, False, "lots of space"),
        ("<p>one</p><p>two</p>", 100, False, "one two"),
        ("a<b>b</b><i>c</i>", 100, False, "abc"),
        ("<div>keep<script>drop()</script><style>p{}</style> this</div>", 100, False, "keep this"),
        ("<form><input value=x>gone</form>visible", 100, False, "visible"),
        ("text<img src=x>more", 100, False, "textmore"),
        ("a&amp;b &lt;tag&gt;", 100, False, "a&b <tag>"),
        ("<p>Hello world</p>", 5, True, "Hello..."),
        ("<p>Hello world</p>", 6, True, "Hello..."),  # the cut is trimmed before the ellipsis
        ("<p>Hello world</p>", 11, True, "Hello world"),
        ("héllo wörld", 4, False, "héll"),
        ("<p>unclosed <b>bold", 100, False, "unclosed bold"),
    ],
)
def test_excerpt(html: str, max_length: int, ellipsis: bool, expected: str) -> None:
    assert make_excerpt(html, max_length, ellipsis) == expected


@pytest.mark.parametrize("html", ["<![weird declaration", "<!DOCTYPE", "</", "<a <b", "&#xffffffff;", "<![CDATA[x"])
def test_excerpt_of_broken_markup_is_still_text(html: str) -> None:
    assert isinstance(make_excerpt(html, 50, True), str)
