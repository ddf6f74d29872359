"""Merging a request's sort and fields on top of a saved view's."""

from __future__ import annotations

import pytest

from shared.errors import BadRequestError
from shared.saved_views.merge import list_params, merged_fields, merged_sort


def test_the_request_sort_comes_first_and_a_key_is_sorted_on_once() -> None:
    assert merged_sort("-rank", "rank", "title,-created") == "-rank,title,-created"
    assert merged_sort("", "", "") == ""
    assert merged_sort("title", "", "@random") == "title,@random"


def test_fields_are_kept_to_the_visible_ones_modifiers_and_expand_included() -> None:
    visible = ["title", "body"]
    assert merged_fields("", visible, "") == "title,body"
    assert merged_fields("*", visible, "author") == "title,body,expand"
    assert merged_fields("body:excerpt(20,true),secret,expand.author.name", visible, "author") == (
        "body:excerpt(20,true),expand.author.name")
    assert merged_fields("secret", None, "") == "secret"  # a view showing every field keeps the request's
    with pytest.raises(BadRequestError):
        merged_fields("secret", visible, "")


def test_list_params_drop_the_view_only_parameters() -> None:
    params = list_params({"stack": "todo", "start": "x", "end": "y", "page": "2", "sort": "-n"},
                         {"sort": "title", "fields": None})
    assert params == {"page": "2", "sort": "-n,title"}
