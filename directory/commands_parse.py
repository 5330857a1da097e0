"""The providers' short commands, read strictly: text in, one frozen command out.

Staff at a desk send ``BEDS 3/40``, ``CLOSED TODAY flood``, ``HOURS MO-FR 09:00-17:00``
and the like, in English or French, in any case, with or without accents
(:data:`KEYWORDS` lists them). Anything that is not exactly a command gives
:class:`Usage` (what to send instead), and a command with a bad value gives
:class:`Invalid` (which value, and why): never a guess. Both name a catalogue key;
:mod:`directory.commands` says them and runs the commands.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time
from typing import Union

from directory.provider import WeeklyHours

MAX_BEDS = 9999
MAX_REASON = 80
# A range whose end falls before its start in the calendar crosses New Year, unless
# that would make it longer than this: then the end was typed before the start.
MAX_WRAPPED_DAYS = 92

# Normalised first word -> (command, language); "OK" is both languages.
KEYWORDS: dict[str, tuple[str, str | None]] = {
    "BEDS": ("beds", "en"), "LITS": ("beds", "fr"),
    "CLOSED": ("close", "en"), "CLOSE": ("close", "en"),
    "FERME": ("close", "fr"), "FERMEE": ("close", "fr"),
    "OPEN": ("open", "en"), "REOPEN": ("open", "en"), "OUVERT": ("open", "fr"),
    "HOURS": ("hours", "en"), "HEURES": ("hours", "fr"),
    "OK": ("ok", None),
    "UNDO": ("undo", "en"), "ANNULER": ("undo", "fr"),
    "STATUS": ("status", "en"), "ETAT": ("status", "fr"), "STATUT": ("status", "fr"),
}
TODAY = frozenset({"TODAY", "AUJOURDHUI"})
# Between two dates; "A" (French "à") only before a date, as it may start an English reason.
RANGE_TO = frozenset({"TO", "AU"})
EVERY_DAY = frozenset({"DAILY", "TLJ"})
# Weekday codes, 0 = Monday: two or three letters, English or French.
DAYS = {code: n for n, codes in enumerate((
    ("MO", "MON", "LU", "LUN"), ("TU", "TUE", "MA", "MAR"), ("WE", "WED", "ME", "MER"),
    ("TH", "THU", "JE", "JEU"), ("FR", "FRI", "VE", "VEN"), ("SA", "SAT", "SAM"),
    ("SU", "SUN", "DI", "DIM"))) for code in codes}

DAY_MONTH = re.compile(r"(\d{1,2})[-/.](\d{1,2})")
NUMBERS = re.compile(r"(-?\d+)(?:/(-?\d+))?")
CLOCK = re.compile(r"(\d{1,2})(?::(\d{2})|H(\d{2})?)")


@dataclass(frozen=True)
class Beds:
    lang: str
    available: int
    maximum: int | None = None


@dataclass(frozen=True)
class Close:
    """Closed from ``first`` to ``last`` (both included); ``today`` when sent as TODAY."""

    lang: str
    reason: str
    first: date
    last: date
    today: bool = False


@dataclass(frozen=True)
class Reopen:
    lang: str


@dataclass(frozen=True)
class Hours:
    lang: str
    openings: tuple[WeeklyHours, ...]


@dataclass(frozen=True)
class Confirm:
    lang: str


@dataclass(frozen=True)
class Undo:
    lang: str


@dataclass(frozen=True)
class Status:
    lang: str


@dataclass(frozen=True)
class Usage:
    """Not a command, or not written as one: say how to write ``command`` (None: all)."""

    lang: str
    command: str | None = None


@dataclass(frozen=True)
class Invalid:
    """A command with a value that cannot be right: catalogue ``key`` with ``values``."""

    lang: str
    key: str
    values: dict[str, object] = field(default_factory=dict)


Command = Union[Beds, Close, Reopen, Hours, Confirm, Undo, Status]
Parsed = Union[Command, Usage, Invalid]


def normal(word: str) -> str:
    """Upper case, accents and apostrophes gone, dashes plain: "Aujourd’hui" -> "AUJOURDHUI"."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    for dash in "–—":
        bare = bare.replace(dash, "-")
    return re.sub(r"['’‘`]", "", bare).upper()


def parse(text: str, today: date, lang: str | None = None) -> Parsed:
    """Read one command; ``lang`` is the language to answer in when the text does not say
    (OK, or no command at all), English by default."""
    words = text.strip().rstrip(".!?").split()
    fallback = "fr" if lang == "fr" else "en"
    if not words or normal(words[0]) not in KEYWORDS:
        return Usage(fallback)
    kind, said = KEYWORDS[normal(words[0])]
    lang = said or fallback
    rest = words[1:]
    if kind == "beds":
        return _beds(lang, "".join(rest))
    if kind == "close":
        return _close(lang, rest, today)
    if kind == "hours":
        return _hours(lang, " ".join(rest))
    if rest:
        return Usage(lang, kind)
    simple = {"open": Reopen, "ok": Confirm, "undo": Undo, "status": Status}
    return simple[kind](lang)


def _beds(lang: str, args: str) -> Parsed:
    match = NUMBERS.fullmatch(args)
    if match is None:
        return Usage(lang, "beds")
    available = int(match.group(1))
    maximum = None if match.group(2) is None else int(match.group(2))
    for number in (available, maximum):
        if number is not None and number < 0:
            return Invalid(lang, "cmd_error_negative")
        if number is not None and number > MAX_BEDS:
            return Invalid(lang, "cmd_error_too_many", {"number": number, "limit": MAX_BEDS})
    if maximum is not None and available > maximum:
        return Invalid(lang, "cmd_error_over", {"available": available, "maximum": maximum})
    return Beds(lang, available, maximum)


def _close(lang: str, args: list[str], today: date) -> Parsed:
    if not args:
        return Usage(lang, "close")
    if normal(args[0]) in TODAY:
        first = last = today
        reason = args[1:]
    elif DAY_MONTH.fullmatch(args[0]):
        ranged = len(args) > 2 and (normal(args[1]) in RANGE_TO or (
            normal(args[1]) == "A" and DAY_MONTH.fullmatch(args[2]) is not None))
        dates = _dates(lang, args[0], args[2] if ranged else None, today)
        if isinstance(dates, Invalid):
            return dates
        first, last = dates
        reason = args[3:] if ranged else args[1:]
    else:
        return Usage(lang, "close")
    said = " ".join(reason).strip()
    if not said:
        return Invalid(lang, "cmd_error_reason")
    if len(said) > MAX_REASON:
        return Invalid(lang, "cmd_error_reason_long", {"limit": MAX_REASON})
    return Close(lang, said, first, last, today=normal(args[0]) in TODAY)


def _day_month(text: str) -> tuple[int, int] | None:
    match = DAY_MONTH.fullmatch(text)
    if match is None:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    return (day, month) if _in_year(2024, day, month) else None  # a leap year: 29-02 is a date


def _in_year(year: int, day: int, month: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 29-02 outside a leap year
        return None


def _on_or_after(day: int, month: int, start: date) -> date:
    """The first ``day``-``month`` on or after ``start`` (29-02 waits for a leap year)."""
    for year in range(start.year, start.year + 9):
        found = _in_year(year, day, month)
        if found is not None and found >= start:
            return found
    raise AssertionError("every valid day and month comes back within eight years")


def _dates(lang: str, start: str, end: str | None, today: date) -> tuple[date, date] | Invalid:
    """The next ``start`` from today, and the first ``end`` from that start."""
    parts = []
    for text in (start, end or start):
        found = _day_month(text)
        if found is None:
            return Invalid(lang, "cmd_error_date", {"date": text})
        parts.append(found)
    (d1, m1), (d2, m2) = parts
    first = _on_or_after(d1, m1, today)
    last = _on_or_after(d2, m2, first)
    if (m2, d2) < (m1, d1) and (last - first).days > MAX_WRAPPED_DAYS:
        return Invalid(lang, "cmd_error_order", {"first": start, "last": end or start})
    for year in (today.year - 1, today.year):
        passed = _in_year(year, d1, m1)
        if passed is not None and passed < today <= _on_or_after(d2, m2, passed):
            # "CLOSED 06-12 TO 08-12" sent on 07-12 means since yesterday, not next year.
            return Invalid(lang, "cmd_error_past", {"date": start})
    return first, last


def _hours(lang: str, args: str) -> Parsed:
    if not args.strip():
        return Usage(lang, "hours")
    openings = []
    for part in re.split(r"[,;]", normal(args)):
        words = part.split()
        if len(words) < 2:
            return Usage(lang, "hours")
        days = _days(words[0])
        if days is None:
            return Invalid(lang, "cmd_error_day", {"day": words[0]})
        times = "".join(words[1:]).split("-")
        if len(times) != 2:
            return Usage(lang, "hours")
        opens, closes = _clock(times[0]), _clock(times[1], closing=True)
        for given, read in ((times[0], opens), (times[1], closes)):
            if read is None:
                return Invalid(lang, "cmd_error_time", {"time": given.lower()})
        assert opens is not None and closes is not None
        openings.append(WeeklyHours(days, opens, closes))
    return Hours(lang, tuple(openings))


def _days(text: str) -> frozenset[int] | None:
    """MO, MO-FR (FR-MO wraps over the weekend), DAILY or TLJ."""
    if text in EVERY_DAY:
        return frozenset(range(7))
    ends = text.split("-")
    if len(ends) > 2 or any(end not in DAYS for end in ends):
        return None
    first, last = DAYS[ends[0]], DAYS[ends[-1]]
    return frozenset((first + n) % 7 for n in range((last - first) % 7 + 1))


def _clock(text: str, closing: bool = False) -> time | None:
    """09:00, 9:00, 9h, 9h30 (24:00 only to close); a bare "9" is refused, as 9-5 would be."""
    match = CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or match.group(3) or 0)
    if closing and (hour, minute) == (24, 0):
        return time(0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)

