"""The instruction-count section's choice of functions (LB_BENCH_INSTRUCTIONS)."""

from __future__ import annotations

import pytest

from tests.bench import cold_instructions, cold_start


def test_the_setting_names_functions_all_of_them_or_the_default() -> None:
    # Given the setting unset, a list, and `all`; Then they choose the default, that list, and every HTTP function
    assert cold_instructions.chosen(None) == cold_instructions.DEFAULT
    assert cold_instructions.chosen(" logs, files ") == ("logs", "files")
    assert cold_instructions.chosen("all") == cold_start.HTTP_GOAL


def test_a_name_that_is_no_http_function_is_refused() -> None:
    # Given a stream consumer's name and a typo, When chosen, Then the setting is refused with the names
    with pytest.raises(ValueError, match="changes"):
        cold_instructions.chosen("records,changes")
