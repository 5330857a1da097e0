"""Opening hours: weekly and monthly rules, overnight spans, holidays, closures, DST.

Rules keep local clock times in ``America/Toronto`` (HSDS 3.0's numeric
``timezone`` offset would be wrong half the year). A ``closes`` that is not
after ``opens`` means the next day, as HSDS intends, so a shelter open
19:00-08:00 is open at 02:00. Each day's spans are built on that day's
calendar and compared in UTC, which keeps wall-clock times right across DST.

Monthly rules ("1st and 3rd Wednesday", "last Friday", "the 15th") are HSDS
``freq=MONTHLY`` with ``byday`` ordinals (``1WE,3WE``, ``-1FR``) or
``bymonthday`` (``15``, ``-1`` for the last day). Which days they fall on is
asked of ``dateutil.rrule``, started zone-aware in America/Toronto, so each
occurrence keeps its wall-clock time whatever the offset that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from dateutil import rrule

from directory.i18n import clock, lang_or_default, short_date, weekday
from words import say, sequence

TZ = ZoneInfo("America/Toronto")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LOOKAHEAD_DAYS = 14
# A monthly rule may next open up to two months ahead (the 31st, a 5th Friday...).
MONTHLY_LOOKAHEAD_DAYS = 62


@dataclass(frozen=True)
class Rule:
    """Open from ``opens`` to ``closes`` on ``days`` (0 = Monday), within the validity dates.

    A monthly rule (``monthly``) opens instead on its ``weeks`` of the month,
    (ordinal, weekday) pairs such as (1, 2) for the first Wednesday and (-1, 4)
    for the last Friday (ordinal 0: every such weekday), and on its
    ``monthdays`` (15, or -1 for the last day); with both, on days that are
    both, as RFC 5545 says.
    """

    days: frozenset[int]
    opens: time
    closes: time
    valid_from: date | None = None
    valid_to: date | None = None
    monthly: bool = False
    weeks: tuple[tuple[int, int], ...] = ()
    monthdays: tuple[int, ...] = ()

    def applies(self, day: date) -> bool:
        if (self.valid_from is not None and day < self.valid_from) or (
                self.valid_to is not None and self.valid_to < day):
            return False
        if self.monthly:
            return day in _month_days(self.weeks, self.monthdays, day.year, day.month)
        return day.weekday() in self.days


def monthly_rule(byday: str, bymonthday: str | None, opens: time, closes: time,
                 valid_from: date | None = None, valid_to: date | None = None) -> Rule:
    """A rule from HSDS ``freq=MONTHLY`` cells; raises ValueError on a bad one."""
    weeks = parse_weeks(byday)
    monthdays = parse_monthdays(bymonthday or "")
    if not weeks and not monthdays:
        raise ValueError("a monthly rule needs weekdays (byday, e.g. 1WE,3WE) or days of the "
                         "month (bymonthday, e.g. 15)")
    return Rule(frozenset(d for _, d in weeks), opens, closes, valid_from, valid_to,
                monthly=True, weeks=weeks, monthdays=monthdays)


def parse_weeks(byday: str) -> tuple[tuple[int, int], ...]:
    """HSDS ``byday`` with ordinals ("1WE,3WE", "-1FR", "MO") to (ordinal, weekday) pairs."""
    weeks = []
    for code in (c.strip().upper() for c in byday.split(",") if c.strip()):
        number, day = code[:-2], code[-2:]
        if day not in DAY_CODES or (number and not _ORDINAL.fullmatch(number)):
            raise ValueError(f"unknown weekday {code!r}; monthly rules use 1WE, 3WE, -1FR...")
        nth = int(number or 0)
        if not -5 <= nth <= 5:
            raise ValueError(f"{code!r}: a month has at most five of each weekday")
        weeks.append((nth, DAY_CODES.index(day)))
    return tuple(weeks)


def parse_monthdays(bymonthday: str) -> tuple[int, ...]:
    """HSDS ``bymonthday`` ("15", "1,15", "-1") to day numbers; raises ValueError."""
    days = []
    for text in (c.strip() for c in bymonthday.split(",") if c.strip()):
        if not _ORDINAL.fullmatch(text) or not 1 <= abs(int(text)) <= 31:
            raise ValueError(f"{text!r} is not a day of the month (1 to 31, or -1 for the last)")
        days.append(int(text))
    return tuple(days)


def format_weeks(weeks: tuple[tuple[int, int], ...]) -> str:
    return ",".join(f"{n or ''}{DAY_CODES[d]}" for n, d in weeks)


_ORDINAL = re.compile(r"[+-]?[1-9]\d?")
_RRULE_DAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


@lru_cache(maxsize=1024)
def _month_days(weeks: tuple[tuple[int, int], ...], monthdays: tuple[int, ...], year: int,
                month: int) -> frozenset[date]:
    """The days of one month a monthly rule opens on, as dateutil's rrule counts them."""
    start = datetime(year, month, 1, tzinfo=TZ)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rule = rrule.rrule(
        rrule.MONTHLY, dtstart=start, until=end,
        byweekday=[_RRULE_DAYS[d](n) if n else _RRULE_DAYS[d] for n, d in weeks] or None,
        bymonthday=list(monthdays) or None)
    return frozenset(moment.date() for moment in rule)


@dataclass(frozen=True)
class Closure:
    since: date | None
    until: date | None
    reason: dict[str, str]

    def covers(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Hours:
    """Everything that decides when a service is open."""

    rules: tuple[Rule, ...]
    holiday_policy: str = "open"  # closed | open | special
    holiday_rules: tuple[Rule, ...] = ()
    province: str = "ON"
    closure: Closure | None = None


@dataclass(frozen=True)
class OpeningState:
    """Whether a service is open at a moment, and what happens next."""

    at: datetime
    open: bool
    until: datetime | None = None
    next_open: datetime | None = None
    holiday: str | None = None
    closure: Closure | None = None
    always_open: bool = False
    holiday_names: dict[str, str] = field(default_factory=dict)

    def text(self, lang: str = "en", now: bool | None = None) -> str:
        """One short line: "open now until 20:00", "opens 07:00 tomorrow", …

        "now" is said only when the state is for the present moment (``now``
        defaults to whether ``at`` is within a few minutes of the clock).
        """
        lang = lang_or_default(lang)
        at = self.at.astimezone(TZ)
        if now is None:
            now = abs(datetime.now(TZ) - at) < timedelta(minutes=5)
        if self.open:
            if self.always_open:
                return say("open_247", lang)
            assert self.until is not None
            until = self.until.astimezone(TZ)
            key = "open_until" if now else "open_until_later"
            if until.date() > at.date():
                key = "open_until_tomorrow" if now else "open_until_next_day"
            return say(key, lang, time=clock(until.time(), lang))
        parts = []
        if self.closure is not None:
            reason = self.closure.reason.get(lang) or self.closure.reason.get("en", "")
            parts.append(say("closed_temporarily", lang, reason=reason))
        elif self.holiday:
            parts.append(say("closed_holiday", lang, holiday=self.holiday_names.get(lang, self.holiday)))
        parts.append(self._next_text(lang, at))
        return ", ".join(parts)

    def _next_text(self, lang: str, at: datetime) -> str:
        if self.next_open is None:
            return say("no_hours", lang)
        nxt = self.next_open.astimezone(TZ)
        hhmm = clock(nxt.time(), lang)
        days = (nxt.date() - at.date()).days
        if days == 0:
            return say("opens_today", lang, time=hhmm)
        if days == 1:
            return say("opens_tomorrow", lang, time=hhmm)
        if days < 7:
            return say("opens_on", lang, day=weekday(nxt.weekday(), lang), time=hhmm)
        return say("opens_date", lang, date=short_date(nxt.date(), lang), time=hhmm)


@lru_cache(maxsize=64)
def _calendar(province: str, year: int, lang: str) -> dict[date, str]:
    subdiv = province if province in ("ON", "QC") else "ON"
    language = "fr" if lang == "fr" else "en_CA"
    return dict(holidays_lib.country_holidays("CA", subdiv=subdiv, years=year, language=language))


def holiday_name(day: date, province: str = "ON", lang: str = "en") -> str | None:
    """The statutory holiday on ``day`` in Ontario or Quebec, if any."""
    return _calendar(province, day.year, lang).get(day)


def localize(at: datetime | None) -> datetime:
    """An aware time in the directory's zone; naive input is read as local clock time."""
    if at is None:
        return datetime.now(TZ)
    return at.replace(tzinfo=TZ) if at.tzinfo is None else at.astimezone(TZ)


def _span(day: date, rule: Rule) -> tuple[datetime, datetime]:
    start = datetime.combine(day, rule.opens, TZ)
    end_day = day if rule.closes > rule.opens else day + timedelta(days=1)
    end = datetime.combine(end_day, rule.closes, TZ)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def day_rules(hours: Hours, day: date) -> tuple[Rule, ...]:
    """The rules in force on a local date, after closures and holiday policy."""
    if hours.closure is not None and hours.closure.covers(day):
        return ()
    if holiday_name(day, hours.province) is not None:
        if hours.holiday_policy == "closed":
            return ()
        if hours.holiday_policy == "special":
            return tuple(r for r in hours.holiday_rules
                         if (r.valid_from is None or r.valid_from <= day)
                         and (r.valid_to is None or day <= r.valid_to))
    return tuple(r for r in hours.rules if r.applies(day))


def spans(hours: Hours, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Open spans (UTC) starting on local dates ``first``..``last``, merged where they touch."""
    raw = sorted(_span(first + timedelta(days=n), rule)
                 for n in range((last - first).days + 1)
                 for rule in day_rules(hours, first + timedelta(days=n)))
    merged: list[tuple[datetime, datetime]] = []
    for start, end in raw:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def state_at(hours: Hours, at: datetime | None = None) -> OpeningState:
    """Open or closed at ``at`` (default: now), until when, and the next opening."""
    local = localize(at)
    now = local.astimezone(timezone.utc)
    today = local.date()
    monthly = any(r.monthly for r in hours.rules)
    horizon = today + timedelta(days=MONTHLY_LOOKAHEAD_DAYS if monthly else LOOKAHEAD_DAYS)
    if hours.closure is not None and hours.closure.until is not None:
        horizon = max(horizon, hours.closure.until + timedelta(days=LOOKAHEAD_DAYS))
    closure = hours.closure if hours.closure is not None and hours.closure.covers(today) else None
    # Most answers lie within a few days: look there first, the whole horizon only if needed.
    for last in (today + timedelta(days=2), horizon):
        for start, end in spans(hours, today - timedelta(days=1), last):
            if start <= now < end:
                # Open two days straight counts as round the clock; ``until`` is then a lower bound.
                return OpeningState(at=local, open=True, until=end,
                                    always_open=end - now >= timedelta(days=2))
            if start > now:
                return _closed(hours, local, start, closure)
    return _closed(hours, local, None, closure)


def _closed(hours: Hours, local: datetime, nxt: datetime | None,
            closure: Closure | None) -> OpeningState:
    holiday = None
    names: dict[str, str] = {}
    if closure is None and hours.holiday_policy == "closed":
        holiday = holiday_name(local.date(), hours.province)
        if holiday:
            names = {lang: holiday_name(local.date(), hours.province, lang) or holiday
                     for lang in ("en", "fr")}
    return OpeningState(at=local, open=False, next_open=nxt.astimezone(TZ) if nxt else None,
                        holiday=holiday, closure=closure, holiday_names=names)


def week_table(hours: Hours, lang: str = "en") -> list[tuple[str, str]]:
    """(weekday, "08:00-09:00, 12:00-13:00") rows for a whole week of regular hours.

    A monthly rule shows on its weekday with the weeks it keeps: "10:00-12:00
    (1st and 3rd of the month)"; one by day of the month is in ``month_table``.
    """
    rows = []
    for d in range(7):
        todays = sorted((r for r in hours.rules if d in r.days), key=lambda r: r.opens)
        text = ", ".join(_sitting(r, d, lang) for r in todays)
        rows.append((weekday(d, lang), text or say("closed_day", lang)))
    return rows


def month_table(hours: Hours, lang: str = "en") -> list[tuple[str, str]]:
    """("Each month", "the 15th: 10:00-12:00") rows for rules by day of the month."""
    return [(say("monthly_row", lang),
             say("monthday_sitting", lang, days=_and([_monthday(n, lang) for n in r.monthdays],
                                                     lang), hours=_clock_span(r, lang)))
            for r in sorted(hours.rules, key=lambda r: (r.monthdays, r.opens))
            if r.monthly and r.monthdays and not r.weeks]


def _clock_span(rule: Rule, lang: str) -> str:
    if rule.opens == rule.closes:
        return say("all_day", lang)
    return f"{clock(rule.opens, lang)}-{clock(rule.closes, lang)}"


def _sitting(rule: Rule, day: int, lang: str) -> str:
    """A rule's hours on a weekday, with the weeks of the month a monthly rule keeps."""
    text = _clock_span(rule, lang)
    nths = sorted({n for n, d in rule.weeks if d == day}, key=lambda n: (n < 0, abs(n)))
    if not rule.monthly or not nths or 0 in nths:
        return text
    names = [sequence("week_ordinals", lang)[n - 1] if n > 0
             else sequence("week_ordinals_from_end", lang)[-n - 1] for n in nths]
    return say("monthly_sitting", lang, hours=text, weeks=_and(names, lang))


def _monthday(n: int, lang: str) -> str:
    return sequence("month_days", lang)[n - 1] if n > 0 else say("last_day", lang)


def _and(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return say("list_and", lang, first=", ".join(items[:-1]), last=items[-1])


def schedule_rule(row: Any) -> Rule:
    """The rule of a schedule row (an ORM ``Schedule`` or a Core row with its columns)."""
    if getattr(row, "freq", None) == "MONTHLY":
        return monthly_rule(row.byday or "", getattr(row, "bymonthday", None), row.opens_at,
                            row.closes_at, row.valid_from, row.valid_to)
    return Rule(days=parse_days(row.byday) if row.byday else frozenset(range(7)),
                opens=row.opens_at, closes=row.closes_at,
                valid_from=row.valid_from, valid_to=row.valid_to)


def parse_days(byday: str) -> frozenset[int]:
    """HSDS ``byday`` ("MO,TU,WE") to weekday numbers; raises ValueError on a bad code."""
    days = set()
    for code in (c.strip().upper() for c in byday.split(",") if c.strip()):
        if code[-2:] not in DAY_CODES:
            raise ValueError(f"unknown weekday {code!r}")
        days.add(DAY_CODES.index(code[-2:]))
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    return ",".join(DAY_CODES[d] for d in sorted(days))
