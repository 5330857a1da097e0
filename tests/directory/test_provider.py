"""Provider updates on a real database: audited, and never a silent lost update."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from directory.access import Actor
from directory.db import session_scope, sessionmaker_for
from directory.errors import DirectoryError, StaleUpdate, UnknownService
from directory.listing import details
from directory.models import AuditEntry, Service
from directory.provider import WeeklyHours, close_temporarily, reopen, set_beds, set_hours
from directory.search import search
from tests.directory.builders import add_service

op = Actor.operator  # the admin CLI's operator, named by --by


def test_set_hours_is_audited_and_bumps_the_version(db_url: str) -> None:
    with session_scope(db_url) as s:
        sid = add_service(s, "shower", hours=[("MO,TU,WE,TH,FR", "09:00", "12:00")])
    with session_scope(db_url) as s:
        service = set_hours(s, sid, [WeeklyHours(frozenset(range(7)), time(7), time(21))], op("ana@drop-in"))
        assert service.version == 2
    with session_scope(db_url) as s:
        assert details(s, sid, datetime(2026, 11, 29, 20, 0)).state.open  # a Sunday evening
        [entry] = s.scalars(select(AuditEntry)).all()
        assert (entry.actor, entry.action) == ("ana@drop-in", "set-hours")
        assert "09:00" in entry.old_value and "21:00" in entry.new_value


def test_stale_version_is_refused_not_overwritten(db_url: str) -> None:
    with session_scope(db_url) as s:
        sid = add_service(s, "shelter")
    with session_scope(db_url) as s:
        set_beds(s, sid, 5, op("night desk"), maximum=40, expected_version=1)
    with pytest.raises(StaleUpdate, match="changed by someone else"):
        with session_scope(db_url) as s:
            set_beds(s, sid, 9, op("day desk"), expected_version=1)
    with session_scope(db_url) as s:
        assert details(s, sid).capacity.available == 5


def test_two_concurrent_writers_cannot_both_win(pg_url: str) -> None:
    """Row-level race on a server (SQLite serialises writers with a database lock)."""
    db_url = pg_url
    with session_scope(db_url) as s:
        sid = add_service(s, "shelter", capacity=(3, 30))
    factory = sessionmaker_for(db_url)
    first, second = factory(), factory()
    try:
        first.begin()
        second.begin()
        set_beds(first, sid, 10, op("first"))   # both read version 1
        seen = second.get(Service, sid)
        assert seen.version == 1
        first.commit()
        with pytest.raises(StaleUpdate):
            set_beds(second, sid, 20, op("second"), expected_version=seen.version)
        second.rollback()
    finally:
        first.close()
        second.close()
    with session_scope(db_url) as s:
        assert details(s, sid).capacity.available == 10


def test_temporary_closure_shows_in_search_then_reopens(db_url: str) -> None:
    with session_scope(db_url) as s:
        sid = add_service(s, "meals", hours=[("MO,TU,WE,TH,FR,SA,SU", "07:00", "20:00")])
    with session_scope(db_url) as s:
        close_temporarily(s, sid, "flooding", op("manager"), reason_fr="inondation",
                          until=date(2030, 1, 1), since=date(2026, 11, 1))
    at = datetime(2026, 11, 24, 12, 0)
    with session_scope(db_url) as s:
        [hit] = search(s, "meals", None, at).results
        assert hit.state.text("en").startswith("closed temporarily: flooding")
        assert hit.state.text("fr").startswith("fermé temporairement : inondation")
    with session_scope(db_url) as s:
        reopen(s, sid, op("manager"))
    with session_scope(db_url) as s:
        assert search(s, "meals", None, at).results[0].state.open


def test_bad_updates_are_clear_errors(db_url: str) -> None:
    with session_scope(db_url) as s:
        sid = add_service(s, "shelter", capacity=(3, 30))
    with pytest.raises(UnknownService):
        with session_scope(db_url) as s:
            set_beds(s, "no-such-id", 1, op("x"))
    with pytest.raises(DirectoryError, match="between 0 and 30"):
        with session_scope(db_url) as s:
            set_beds(s, sid, 31, op("x"))
    with pytest.raises(DirectoryError, match="who makes the change"):
        with session_scope(db_url) as s:
            set_beds(s, sid, 2, op("  "))
    with pytest.raises(DirectoryError, match="ends"):
        with session_scope(db_url) as s:
            close_temporarily(s, sid, "x", op("y"), since=date(2026, 12, 2), until=date(2026, 12, 1))


def test_audit_entries_expire(db_url: str) -> None:
    from datetime import timedelta

    from directory.provider import purge_audit

    with session_scope(db_url) as s:
        sid = add_service(s, "shelter", capacity=(3, 30))
    with session_scope(db_url) as s:
        set_beds(s, sid, 4, op("night desk"))
        set_beds(s, sid, 5, op("night desk"))
    with session_scope(db_url) as s:
        first = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        first.at = first.at - timedelta(days=800)
    with session_scope(db_url) as s:
        assert purge_audit(s) == 1
        assert len(s.scalars(select(AuditEntry)).all()) == 1
    with pytest.raises(DirectoryError, match="positive"):
        with session_scope(db_url) as s:
            purge_audit(s, 0)
