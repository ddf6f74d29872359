"""Airtable's date format strings (moment.js tokens) for DATETIME_FORMAT, DATETIME_PARSE and display formats.

Tokens: YYYY YY Q MMMM MMM MM M Do DDDD DDD DD D dddd ddd dd d E e W WW w ww GGGG HH H hh h kk k mm m ss s
SSS SS S A a ZZ Z X x, the English locale formats LT LTS L LL LLL LLLL l ll lll llll, and [literal text].
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from shared.tools.formula.errors import FormulaEvaluationError

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_LOCALE = {"LTS": "h:mm:ss A", "LT": "h:mm A", "LLLL": "dddd, MMMM D, YYYY h:mm A", "LLL": "MMMM D, YYYY h:mm A",
           "LL": "MMMM D, YYYY", "L": "MM/DD/YYYY", "llll": "ddd, MMM D, YYYY h:mm A", "lll": "MMM D, YYYY h:mm A",
           "ll": "MMM D, YYYY", "l": "M/D/YYYY"}
_TOKEN = re.compile(r"\[[^\]]*\]|LTS|LT|LLLL|LLL|LL|L|llll|lll|ll|l|YYYY|YY|Q|MMMM|MMM|MM|M|Do|DDDD|DDD|DD|D|dddd|"
                    r"ddd|dd|d|E|e|WW|W|ww|w|GGGG|HH|H|hh|h|kk|k|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|X|x")


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _offset(moment: datetime, colon: bool) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def _week_of_year(moment: datetime) -> int:
    """moment's locale week for English: weeks start on Sunday, week 1 holds January 1."""
    jan1 = moment.replace(month=1, day=1)
    first_sunday_before = jan1 - timedelta(days=(jan1.weekday() + 1) % 7)
    return (moment.date() - first_sunday_before.date()).days // 7 + 1


def _token(moment: datetime, token: str) -> str:
    if token.startswith("["):
        return token[1:-1]
    if token in _LOCALE:
        return format_date(moment, _LOCALE[token])
    hour12 = moment.hour % 12 or 12
    simple = {
        "YYYY": f"{moment.year:04d}", "YY": f"{moment.year % 100:02d}", "Q": str((moment.month - 1) // 3 + 1),
        "MMMM": MONTHS[moment.month - 1], "MMM": MONTHS[moment.month - 1][:3], "MM": f"{moment.month:02d}",
        "M": str(moment.month), "Do": _ordinal(moment.day), "DD": f"{moment.day:02d}", "D": str(moment.day),
        "DDDD": f"{moment.timetuple().tm_yday:03d}", "DDD": str(moment.timetuple().tm_yday),
        "dddd": DAYS[(moment.weekday() + 1) % 7], "ddd": DAYS[(moment.weekday() + 1) % 7][:3],
        "dd": DAYS[(moment.weekday() + 1) % 7][:2], "d": str((moment.weekday() + 1) % 7),
        "e": str((moment.weekday() + 1) % 7), "E": str(moment.isoweekday()),
        "W": str(moment.isocalendar().week), "WW": f"{moment.isocalendar().week:02d}",
        "w": str(_week_of_year(moment)), "ww": f"{_week_of_year(moment):02d}",
        "GGGG": f"{moment.isocalendar().year:04d}",
        "HH": f"{moment.hour:02d}", "H": str(moment.hour), "hh": f"{hour12:02d}", "h": str(hour12),
        "kk": f"{moment.hour or 24:02d}", "k": str(moment.hour or 24),
        "mm": f"{moment.minute:02d}", "m": str(moment.minute), "ss": f"{moment.second:02d}", "s": str(moment.second),
        "SSS": f"{moment.microsecond // 1000:03d}", "SS": f"{moment.microsecond // 10000:02d}",
        "S": str(moment.microsecond // 100000), "A": "AM" if moment.hour < 12 else "PM",
        "a": "am" if moment.hour < 12 else "pm", "Z": _offset(moment, True), "ZZ": _offset(moment, False),
        "X": str(int(moment.timestamp())), "x": str(int(moment.timestamp() * 1000)),
    }
    return simple[token]


def format_date(moment: datetime, layout: str) -> str:
    """DATETIME_FORMAT: e.g. format_date(2024-03-05 14:07 UTC, "MMMM Do, YYYY h:mma") -> "March 5th, 2024 2:07pm"."""
    out, last = [], 0
    for match in _TOKEN.finditer(layout):
        out.append(layout[last:match.start()])
        out.append(_token(moment, match.group(0)))
        last = match.end()
    out.append(layout[last:])
    return "".join(out)


_PARSE_PARTS = {
    "YYYY": r"(?P<year>\d{4})", "YY": r"(?P<yy>\d{2})", "MMMM": r"(?P<monthname>[A-Za-z]+)",
    "MMM": r"(?P<monthname>[A-Za-z]+)", "MM": r"(?P<month>\d{1,2})", "M": r"(?P<month>\d{1,2})",
    "Do": r"(?P<day>\d{1,2})(?:st|nd|rd|th)", "DD": r"(?P<day>\d{1,2})", "D": r"(?P<day>\d{1,2})",
    "dddd": r"[A-Za-z]+", "ddd": r"[A-Za-z]+", "HH": r"(?P<hour>\d{1,2})", "H": r"(?P<hour>\d{1,2})",
    "hh": r"(?P<hour>\d{1,2})", "h": r"(?P<hour>\d{1,2})", "mm": r"(?P<minute>\d{1,2})",
    "m": r"(?P<minute>\d{1,2})", "ss": r"(?P<second>\d{1,2})", "s": r"(?P<second>\d{1,2})",
    "SSS": r"(?P<ms>\d{1,3})", "A": r"(?P<ampm>[AaPp][Mm])", "a": r"(?P<ampm>[AaPp][Mm])",
    "Z": r"(?P<zone>Z|[+-]\d{2}:?\d{2})", "ZZ": r"(?P<zone>Z|[+-]\d{2}:?\d{2})", "X": r"(?P<unix>-?\d+)",
    "x": r"(?P<unixms>-?\d+)",
}


def _parse_pattern(layout: str) -> re.Pattern[str]:
    parts, last, used = [], 0, set()
    for match in _TOKEN.finditer(layout):
        parts.append(_literal(layout[last:match.start()]))
        token = match.group(0)
        if token in _LOCALE:
            parts.append(_parse_pattern(_LOCALE[token]).pattern[1:-1])
        elif token.startswith("["):
            parts.append(re.escape(token[1:-1]))
        else:
            part = _PARSE_PARTS.get(token)
            if part is None:
                raise FormulaEvaluationError(f"The date format token {token!r} cannot be parsed.")
            name = re.search(r"\?P<(\w+)>", part)
            if name and name.group(1) in used:  # a repeated token: match it, keep the first
                part = re.sub(r"\?P<\w+>", "?:", part)
            elif name:
                used.add(name.group(1))
            parts.append(part)
        last = match.end()
    parts.append(_literal(layout[last:]))
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE)


def _literal(text: str) -> str:
    # moment parses forgivingly: any run of separators matches any other
    return "".join(r"[\s\W_]*" if not ch.isalnum() else re.escape(ch) for ch in text)


def parse_date(text: str, layout: str) -> datetime:
    """DATETIME_PARSE with a format; the result is UTC unless the text names a zone."""
    match = _parse_pattern(layout).match(text.strip())
    if match is None:
        raise FormulaEvaluationError(f"{text!r} does not match the date format {layout!r}.")
    found = {k: v for k, v in match.groupdict().items() if v is not None}
    if "unix" in found:
        return datetime.fromtimestamp(int(found["unix"]), UTC)
    if "unixms" in found:
        return datetime.fromtimestamp(int(found["unixms"]) / 1000, UTC)
    year = int(found["year"]) if "year" in found else (2000 + int(found["yy"]) if "yy" in found else 1970)
    month = int(found.get("month", 1))
    if "monthname" in found:
        month = _month_number(found["monthname"])
    hour = int(found.get("hour", 0))
    if "ampm" in found:
        hour = hour % 12 + (12 if found["ampm"].lower() == "pm" else 0)
    zone = UTC
    if found.get("zone") and found["zone"] != "Z":
        raw = found["zone"].replace(":", "")
        minutes = int(raw[1:3]) * 60 + int(raw[3:5])
        zone = timezone(timedelta(minutes=-minutes if raw[0] == "-" else minutes))
    try:
        moment = datetime(year, month, int(found.get("day", 1)), hour, int(found.get("minute", 0)),
                          int(found.get("second", 0)), int(found.get("ms", "0").ljust(3, "0")) * 1000, tzinfo=zone)
    except ValueError as exc:
        raise FormulaEvaluationError(f"{text!r} is not a valid date: {exc}.") from exc
    return moment.astimezone(UTC)


def _month_number(name: str) -> int:
    lowered = name.lower()
    for i, month in enumerate(MONTHS):
        if month.lower() == lowered or month[:3].lower() == lowered:
            return i + 1
    raise FormulaEvaluationError(f"{name!r} is not a month name.")
