"""CSV cells to Python values and back, following HSDS 3.0's Table Schema types.

Reading is strict where a wrong value would mislead someone (times, dates,
coordinates) and writes exactly what Frictionless accepts under the official
schemas: ISO dates, ``HH:MM:SS`` times, ``true``/``false``, plain numbers, and
datetimes with their UTC offset.

Naive datetimes in the database are local clock time in ``America/Toronto``
(as ``directory.provider`` stamps them); they are written with their offset
and an offset on input is converted back to that local clock.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from typing import Any

from directory.hsds.schema import FieldSpec
from directory.schedules import TZ

TRUE = frozenset({"true", "True", "TRUE", "1"})
FALSE = frozenset({"false", "False", "FALSE", "0"})
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?")


class CellError(ValueError):
    """A cell that does not hold a value of its column's type; the message says why."""


def parse(text: str, spec: FieldSpec) -> Any:
    """The value of a non-empty cell, or ``CellError``."""
    value = _typed(text.strip() if spec.type != "string" or spec.format else text, spec)
    if spec.enum is not None and value not in spec.enum:
        raise CellError(f"{text!r} is not one of {', '.join(spec.enum)}")
    if spec.minimum is not None and value < spec.minimum:
        raise CellError(f"{value} is below the minimum {spec.minimum:g}")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise CellError(f"{text!r} is not in the expected form")
    return value


def _typed(text: str, spec: FieldSpec) -> Any:
    kind = spec.type
    if kind == "string":
        if spec.format == "uuid" and not _UUID.fullmatch(text):
            raise CellError(f"{text!r} is not a UUID")
        return text
    if kind in ("number", "integer"):
        if not _NUMBER.fullmatch(text):
            raise CellError(f"{text!r} is not a number")
        number = float(text)
        if math.isinf(number):
            raise CellError(f"{text!r} is out of range")
        if kind == "integer":
            if not number.is_integer():
                raise CellError(f"{text!r} is not a whole number")
            return int(number)
        return number
    if kind == "boolean":
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise CellError(f"{text!r} is not true or false")
    if kind == "date":
        return _parse_date(text)
    if kind == "time":
        return _parse_time(text)
    if kind == "datetime":
        return _parse_datetime(text)
    raise CellError(f"unsupported column type {kind!r}")


def _parse_date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise CellError(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellError(f"{text!r} is not a calendar date") from None


def _parse_time(text: str) -> time:
    match = _TIME.fullmatch(text)
    if match is None:
        raise CellError(f"{text!r} is not a time (HH:MM or HH:MM:SS)")
    hh, mm, ss = (int(g) if g else 0 for g in match.groups())
    if hh > 23 or mm > 59 or ss > 59:
        raise CellError(f"{text!r} is not a time of day (00:00 to 23:59:59)")
    return time(hh, mm, ss)


def _parse_datetime(text: str) -> datetime:
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise CellError(f"{text!r} is not a date and time (YYYY-MM-DDTHH:MM:SS, offset optional)")
    day, clock, fraction, offset = match.groups()
    micro = f".{(fraction or '')[:6]:0<6}" if fraction else ""
    zone = ("" if offset is None else "+00:00" if offset == "Z"
            else offset if ":" in offset else f"{offset[:3]}:{offset[3:]}")
    try:
        value = datetime.fromisoformat(f"{day}T{clock}{micro}{zone}")
    except ValueError:
        raise CellError(f"{text!r} is not a valid date and time") from None
    return value if value.tzinfo is None else value.astimezone(TZ).replace(tzinfo=None)


def format_cell(value: Any) -> str:
    """The CSV text of a value: empty for ``None``, and the forms Frictionless reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=TZ).isoformat() if value.tzinfo is None else value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
