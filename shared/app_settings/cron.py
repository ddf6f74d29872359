"""PocketBase's cron expressions: a macro or five segments, checked with PocketBase's own error messages."""

from __future__ import annotations

MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
# (min, max) of minute, hour, day of month, month and day of week, as tools/cron/schedule.go.
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


class CronError(ValueError):
    """The expression is not one PocketBase would schedule; the message is PocketBase's."""


def _atoi(text: str) -> int:
    # Go's strconv.Atoi: an optional sign and digits only.
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii():
        raise CronError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


def _segment(segment: str, low: int, high: int) -> None:
    for part in segment.split(","):
        step_parts = part.split("/")
        step = 1
        if len(step_parts) == 2:
            step = _atoi(step_parts[1])
            if step < 1 or step > high:
                raise CronError(f"invalid segment step boundary - the step must be between 1 and the {high}")
        elif len(step_parts) != 1:
            raise CronError("invalid segment step format - must be in the format */n or 1-30/n")
        if step_parts[0] == "*":
            continue
        bounds = step_parts[0].split("-")
        if len(bounds) == 1:
            if step != 1:
                raise CronError("invalid segment step - step > 1 could be used only with the wildcard or range "
                                "format")
            if not low <= _atoi(bounds[0]) <= high:
                raise CronError("invalid segment value - must be between the min and max of the segment")
        elif len(bounds) == 2:
            first = _atoi(bounds[0])
            if not low <= first <= high:
                raise CronError(f"invalid segment range minimum - must be between {low} and {high}")
            last = _atoi(bounds[1])
            if last < first or last > high:
                raise CronError(f"invalid segment range maximum - must be between {first} and {high}")
        else:
            raise CronError("invalid segment range format - the range must have 1 or 2 parts")


def check_cron(expression: str) -> None:
    """Raise CronError unless `expression` is a macro (@daily...) or five valid space-separated segments."""
    segments = MACROS.get(expression, expression).split(" ")
    if len(segments) != 5:
        raise CronError("invalid cron expression - must be a valid macro or to have exactly 5 space separated "
                        "segments")
    for segment, (low, high) in zip(segments, _BOUNDS, strict=True):
        _segment(segment, low, high)
