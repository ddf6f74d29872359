"""PocketBase's cron dialect: which expressions it accepts, with its messages, and which minutes they match."""

from __future__ import annotations

from datetime import datetime

import pytest

from shared.crons.expression import INVALID_CRON_CODE, CronExpressionError, parse, validate

# Each message is what PocketBase 0.40.6 answered to PATCH /api/settings {"backups": {"cron": ...}}.
REFUSED = [
    ("bad", "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."),
    ("* * * *", "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."),
    ("0  0 * * *", "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."),
    (" 0 0 * * *", "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."),
    ("@DAILY", "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."),
    ("@reboot", "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."),
    ("61 * * * *", "Invalid segment value - must be between the min and max of the segment."),
    ("0 0 * * 7", "Invalid segment value - must be between the min and max of the segment."),
    ("*/0 * * * *", "Invalid segment step boundary - the step must be between 1 and the 59."),
    ("0 0 ? * *", 'Strconv.Atoi: parsing "?": invalid syntax.'),
    ("0 0 * JAN *", 'Strconv.Atoi: parsing "JAN": invalid syntax.'),
    ("99999999999999999999 * * * *", 'Strconv.Atoi: parsing "99999999999999999999": value out of range.'),
    ("5-1 * * * *", "Invalid segment range maximum - must be between 5 and 59."),
    ("1-2-3 * * * *", "Invalid segment range format - the range must have 1 or 2 parts."),
    ("1/2/3 * * * *", "Invalid segment step format - must be in the format */n or 1-30/n."),
    ("1/2 * * * *", "Invalid segment step - step > 1 could be used only with the wildcard or range format."),
]


@pytest.mark.parametrize(("expression", "message"), REFUSED, ids=[e for e, _ in REFUSED])
def test_a_refused_expression_raises_pocketbases_message(expression: str, message: str) -> None:
    # Given an expression PocketBase refuses / When it is validated / Then PocketBase's message and code
    with pytest.raises(ValueError) as raised:
        validate(expression)
    assert str(raised.value) == message
    assert isinstance(raised.value, CronExpressionError) and raised.value.code == INVALID_CRON_CODE


@pytest.mark.parametrize(("expression", "listed"), [
    ("0 0 * * *", "0 0 * * *"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
    ("@weekly", "0 0 * * 0"),
    ("@monthly", "0 0 1 * *"),
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("0-5/2 1,2 * * 1-5", "0-5/2 1,2 * * 1-5"),
    ("+5 * * * *", "+5 * * * *"),  # Go's Atoi takes a sign, and PocketBase saves it so
])
def test_an_accepted_expression_lists_with_its_macro_expanded(expression: str, listed: str) -> None:
    # Given an expression PocketBase accepts / When parsed / Then it lists as PocketBase lists it
    validate(expression)
    assert parse(expression).expression == listed


@pytest.mark.parametrize(("expression", "moment", "due"), [
    ("*/15 9-17 * * 1-5", datetime(2026, 12, 1, 9, 30), True),   # a Tuesday
    ("*/15 9-17 * * 1-5", datetime(2026, 12, 1, 9, 31), False),
    ("*/15 9-17 * * 1-5", datetime(2026, 12, 6, 9, 30), False),  # a Sunday
    ("0 0 * * 0", datetime(2026, 12, 6, 0, 0), True),             # Sunday is 0
    ("0-5/2 * * * *", datetime(2026, 12, 1, 3, 4), True),
    ("0-5/2 * * * *", datetime(2026, 12, 1, 3, 5), False),
    ("1,30-31 * * * *", datetime(2026, 12, 1, 3, 31), True),
    ("+5 * * * *", datetime(2026, 12, 1, 3, 5), True),
    # Both day fields must match (Vixie cron would run on every 13th and every Friday): Friday the 13th only.
    ("0 0 13 * 5", datetime(2026, 11, 13, 0, 0), True),
    ("0 0 13 * 5", datetime(2026, 12, 13, 0, 0), False),  # a Sunday
    ("0 0 13 * 5", datetime(2026, 12, 4, 0, 0), False),   # a Friday, the 4th
    ("@yearly", datetime(2027, 1, 1, 0, 0), True),
    ("@yearly", datetime(2027, 1, 1, 0, 1), False),
])
def test_a_schedule_is_due_in_the_minutes_pocketbase_would_run_it(expression: str, moment: datetime,
                                                                  due: bool) -> None:
    # Given a schedule / When a minute is checked / Then it matches as PocketBase's tools/cron does
    assert parse(expression).is_due(moment) is due
