"""Run the providers' short commands (``BEDS 3/40``, ``CLOSED TODAY flood``, ``UNDO`` …).

:func:`handle` reads a command (:mod:`directory.commands_parse`), finds the service,
and makes the change through :mod:`directory.provider`, so every change is allowed
or refused by :mod:`directory.access` and audited there. It returns an
:class:`Outcome`: the reply, which echoes the change as a client search then shows
it (:func:`directory.listing.details`); or, when the account has several services,
numbered choices and the command to run again with the one picked.

UNDO takes back the account's last change, within :data:`UNDO_MINUTES`, from the
old value its audit entry holds, unless someone changed that service since; the
undo is audited too, and a second UNDO does not reach older changes. A peer may
ask STATUS (a read, which access allows peers on any listing, naming the service)
and is refused every change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory import provider
from directory.access import ALLOWED, Actor, Change, Forbidden, Role, authorise, services_of
from directory.commands_parse import (
    Beds,
    Close,
    Command,
    Confirm,
    Hours,
    Invalid,
    Reopen,
    Status,
    Undo,
    Usage,
    parse,
)
from directory.errors import StaleUpdate, UnknownService
from directory.i18n import clock, short_date
from directory.listing import Listing, details
from directory.models import AuditEntry, Schedule, Service
from directory.schedules import Closure, localize, week_table
from words import say, sequence

UNDO_MINUTES = 10
MAX_CHOICES = 9
CHANGE_OF = {Beds: Change.BEDS, Close: Change.CLOSE, Reopen: Change.REOPEN, Hours: Change.HOURS,
             Confirm: Change.CONFIRM, Status: Change.READ}
# Audit actions UNDO can take back: what access must allow again, and how to echo the result.
UNDOABLE = {"set-beds": (Change.BEDS, "beds"), "close-temporarily": (Change.CLOSE, "closure"),
            "reopen": (Change.REOPEN, "closure"), "set-hours": (Change.HOURS, "hours"),
            "confirm": (Change.CONFIRM, "verified")}
CHANGES = (*UNDOABLE, "undo")
USAGE = {None: "cmd_usage", "beds": "cmd_usage_beds", "close": "cmd_usage_close",
         "hours": "cmd_usage_hours", "open": "cmd_usage_open", "ok": "cmd_usage_ok",
         "undo": "cmd_usage_undo", "status": "cmd_usage_status"}


@dataclass(frozen=True)
class Choice:
    number: int
    service_id: str
    name: str


@dataclass(frozen=True)
class Outcome:
    """The reply; with ``choices``, it asks which service, and the caller runs ``pending``
    again with the picked one (``handle(…, outcome.pending, service_id=…)``)."""

    text: str
    lang: str
    choices: tuple[Choice, ...] = ()
    pending: str | None = None

    def pick(self, answer: str) -> str | None:
        """The service id of a numbered answer ("2"), or None if it names no choice."""
        number = answer.strip().rstrip(".)")
        return next((c.service_id for c in self.choices if number == str(c.number)), None)


def handle(session: Session, actor: Actor, text: str, service_id: str | None = None,
           lang: str | None = None, now: datetime | None = None) -> Outcome:
    """Run one command for ``actor``; ``lang`` answers what names no language (OK, noise).

    ``now`` is when the command was sent (default: the clock): it dates TODAY and
    DD-MM, bounds UNDO, and is the moment the echo shows."""
    moment = localize(now)
    parsed = parse(text, moment.date(), lang)
    if isinstance(parsed, Usage):
        return Outcome(say(USAGE[parsed.command], parsed.lang), parsed.lang)
    if isinstance(parsed, Invalid):
        return Outcome(say(parsed.key, parsed.lang, **parsed.values), parsed.lang)
    lang = parsed.lang
    try:
        if isinstance(parsed, Undo):
            return Outcome(_undo(session, actor, moment, lang), lang)
        if service_id is None:
            target = _target(session, actor, CHANGE_OF[type(parsed)], text, lang)
            if isinstance(target, Outcome):
                return target
            service_id = target
        return Outcome(_run(session, actor, parsed, service_id, moment), lang)
    except Forbidden as refused:
        return Outcome(_refused(refused, actor, lang), lang)
    except UnknownService:
        return Outcome(say("cmd_unknown_service", lang), lang)
    except StaleUpdate:
        return Outcome(say("cmd_busy", lang), lang)


def _refused(refused: Forbidden, actor: Actor, lang: str) -> str:
    """Access's refusal, in words short enough for one SMS where we have them."""
    if refused.key == "refused_other_organization":
        return say("cmd_forbidden", lang)
    if actor.role is Role.PEER:
        return say("cmd_forbidden_peer", lang)
    return refused.text(lang)


def _name(service: Service | None, lang: str) -> str:
    if service is None:
        return ""
    return service.name_fr if lang == "fr" and service.name_fr else service.name


def _target(session: Session, actor: Actor, change: Change, text: str,
            lang: str) -> str | Outcome:
    """The one service the account acts on, or the question which one."""
    services = services_of(session, actor)
    if not services:
        if change not in ALLOWED[actor.role]:
            authorise(session, actor, change)  # refused, and the refusal recorded
        return Outcome(say("cmd_no_services", lang), lang)
    if len(services) == 1:
        return services[0].id
    if len(services) > MAX_CHOICES:
        return Outcome(say("cmd_too_many", lang, count=len(services)), lang)
    choices = tuple(Choice(n, s.id, _name(s, lang)) for n, s in enumerate(services, 1))
    listed = ", ".join(f"{c.number} {c.name}" for c in choices)
    return Outcome(say("cmd_choose", lang, choices=listed), lang, choices, text)


def _run(session: Session, actor: Actor, command: Command, sid: str, moment: datetime) -> str:
    """Authorise, change, and echo the change as clients will see it."""
    authorise(session, actor, CHANGE_OF[type(command)], sid)
    lang = command.lang
    if isinstance(command, Status):
        return _echo(session, sid, "status", moment, lang)
    service = session.get(Service, sid)
    assert service is not None
    if isinstance(command, Beds):
        top = command.maximum if command.maximum is not None else service.capacity_maximum
        if top is not None and command.available > top:
            return say("cmd_error_over", lang, available=command.available, maximum=top)
        provider.set_beds(session, sid, command.available, actor, maximum=command.maximum)
        kind = "beds"
    elif isinstance(command, Close):
        provider.close_temporarily(session, sid, command.reason, actor, since=command.first,
                                   until=command.last)
        kind = "closure"
    elif isinstance(command, Reopen):
        if not (service.closed_reason or service.closed_since or service.closed_until):
            listing = details(session, sid, moment)
            return say("cmd_not_closed", lang, name=listing.title(lang),
                       state=listing.state.text(lang, now=True))
        provider.reopen(session, sid, actor)
        kind = "reopened"
    elif isinstance(command, Hours):
        provider.set_hours(session, sid, list(command.openings), actor)
        kind = "hours"
    else:
        provider.confirm(session, sid, actor)
        kind = "confirm"
    return say("cmd_changed", lang, echo=_echo(session, sid, kind, moment, lang))


# ---------------------------------------------------------------- echoes

def _echo(session: Session, sid: str, kind: str, moment: datetime, lang: str) -> str:
    """One line, "{name}: {what}.", from the listing a client search now gets."""
    listing = details(session, sid, moment)
    today = moment.date()
    state = listing.state.text(lang, now=True)
    if kind == "beds":
        what = _beds(listing, today, lang) or state
    elif kind == "closure":
        what = _closure(listing, today, lang) or state
    elif kind == "reopened":
        what = say("cmd_reopened", lang, state=state)
    elif kind == "hours":
        what = say("cmd_hours", lang, week=_week(listing, lang))
    elif kind == "confirm":
        what = say("cmd_confirmed", lang, verified=listing.verified(lang))
    elif kind == "verified":
        what = listing.verified(lang) or state
    else:  # status: the state now, a closure to come, beds, when last verified
        later = None if listing.state.closure is not None else _closure(listing, today, lang)
        parts = [state, later, _beds(listing, today, lang), listing.verified(lang)]
        what = "; ".join(p for p in parts if p)
    # A French date may end with its abbreviation's dot ("7 déc."): one dot ends the line.
    return say("cmd_line", lang, name=listing.title(lang), what=what.rstrip("."))


def _day(value: date, today: date, lang: str) -> str:
    text = short_date(value, lang)
    return text if value.year == today.year else f"{text} {value.year}"


def _beds(listing: Listing, today: date, lang: str) -> str | None:
    capacity = listing.capacity
    if capacity is None or capacity.available is None:
        return None
    unit = say("cmd_unit_beds", lang) if capacity.unit in (None, "beds") else capacity.unit
    if capacity.maximum is None:
        text = say("cmd_beds_free", lang, unit=unit, available=capacity.available)
    else:
        text = say("cmd_beds_of", lang, unit=unit, available=capacity.available,
                   maximum=capacity.maximum)
    if capacity.updated_at is None:
        return text
    at = clock(capacity.updated_at.time(), lang)
    if capacity.updated_at.date() != today:
        at = f"{_day(capacity.updated_at.date(), today, lang)} {at}"
    return f"{text} ({at})"


def _closure(listing: Listing, today: date, lang: str) -> str | None:
    """The closure as clients see it now if it holds now, else its dates and reason."""
    closure = listing.hours.closure
    if closure is None:
        return None
    if listing.state.closure is not None:
        return listing.state.text(lang, now=True)
    return say("cmd_closed_when", lang, when=_when(closure, today, lang),
               reason=closure.reason.get(lang) or closure.reason.get("en", ""))


def _when(closure: Closure, today: date, lang: str) -> str:
    first = closure.since or today
    if closure.until is None:
        return say("cmd_when_from", lang, date=_day(first, today, lang))
    if closure.until == first:
        if first == today:
            return say("cmd_when_today", lang)
        return say("cmd_when_day", lang, date=_day(first, today, lang))
    return say("cmd_when_range", lang, first=_day(first, today, lang),
               last=_day(closure.until, today, lang))


def _week(listing: Listing, lang: str) -> str:
    """The week clients see, consecutive days alike run together: "Mon-Fri 09:00-17:00; …"."""
    days = sequence("cmd_days_short", lang)
    groups: list[tuple[int, int, str]] = []
    for n, (_, spans) in enumerate(week_table(listing.hours, lang)):
        if groups and groups[-1][2] == spans:
            groups[-1] = (groups[-1][0], n, spans)
        else:
            groups.append((n, n, spans))
    return "; ".join(f"{days[a]}-{days[b]} {spans}" if a != b else f"{days[a]} {spans}"
                     for a, b, spans in groups)


# ---------------------------------------------------------------- UNDO

def _undo(session: Session, actor: Actor, moment: datetime, lang: str) -> str:
    mine = (AuditEntry.account_id == actor.account_id if actor.account_id is not None
            else AuditEntry.actor == actor.label())
    last = session.scalars(select(AuditEntry).where(mine, AuditEntry.action.in_(CHANGES))
                           .order_by(AuditEntry.id.desc()).limit(1)).first()
    if last is None:
        return say("cmd_undo_nothing", lang)
    if last.action == "undo":
        return say("cmd_undo_again", lang)
    old = json.loads(last.old_value or "null")
    late = last.at < moment.replace(tzinfo=None) - timedelta(minutes=UNDO_MINUTES)
    if late or not isinstance(old, dict):  # a list: recorded before undo was possible
        return say("cmd_undo_late", lang)
    change, kind = UNDOABLE[last.action]
    service = authorise(session, actor, change, last.service_id)
    since = session.scalars(select(AuditEntry.id).where(
        AuditEntry.service_id == last.service_id, AuditEntry.id > last.id,
        AuditEntry.action.in_(CHANGES)).limit(1)).first()
    if since is not None:
        return say("cmd_undo_conflict", lang, name=_name(service, lang))
    _restore(session, actor, last, old)
    return say("cmd_undone", lang, echo=_echo(session, last.service_id, kind, moment, lang))


def _decode(table: Any, column: str, value: Any) -> Any:
    """A value as the audit log's JSON holds it, back in its column's Python type."""
    kind = table.c[column].type.python_type
    if value is not None and kind in (datetime, date, time):
        return kind.fromisoformat(value)
    return value


def _restore(session: Session, actor: Actor, entry: AuditEntry, old: dict[str, Any]) -> None:
    """Put back what ``entry`` overwrote, with a version bump and an audit entry of its own."""
    sid, rows = entry.service_id, old.get("schedule")
    values = {k: _decode(Service.__table__, k, v) for k, v in old.items() if k != "schedule"}
    current: dict[str, Any] = provider._was(session, sid, values)
    if rows is not None:
        current["schedule"] = provider._schedule_rows(session, sid)
    provider._bump(session, sid, None, values)
    if rows is not None:
        session.execute(delete(Schedule).where(Schedule.service_id == sid,
                                               Schedule.kind == "regular"))
        for row in rows:
            session.add(Schedule(service_id=sid, kind="regular",
                                 **{k: _decode(Schedule.__table__, k, v) for k, v in row.items()}))
        session.flush()
    provider._audit(session, sid, actor, "undo", current, {"undoes": entry.id, **old})
