"""Freshness clients can see: call ahead at 90 days, left out at 180, stale bed counts
said as unknown, fresh free beds first. On SQLite and PostgreSQL, through search,
details, the demo loader and the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from conversation.listings import listing_line
from directory.db import session_scope
from directory.demo import DEMO_AS_OF, load_demo
from directory.freshness import CALL_AHEAD, FRESH, STALE, Policy, stale_queue
from directory.geo import Point
from directory.listing import details
from directory.models import Service
from directory.search import search
from tests.directory.builders import MARKET as MARKET_AT
from tests.directory.builders import add_service

MARKET = Point(*MARKET_AT)
NOW = datetime(2027, 3, 1, 22, 0)
POLICY = Policy(now=NOW)


def confirmed(url: str, sid: str, days_ago: float, beds_at: datetime | None = None) -> None:
    with session_scope(url) as s:
        values: dict[str, object] = {"last_verified_at": NOW - timedelta(days=days_ago)}
        if beds_at is not None:
            values["capacity_updated_at"] = beds_at
        s.execute(update(Service).where(Service.id == sid).values(**values))


@pytest.mark.parametrize("days, state", [(0, FRESH), (89.9, FRESH), (90, CALL_AHEAD),
                                         (179.9, CALL_AHEAD), (180, STALE), (400, STALE)])
def test_the_thresholds(days: float, state: str) -> None:
    assert POLICY.of(NOW - timedelta(days=days)) == state


def test_never_confirmed_is_call_ahead_not_hidden() -> None:
    assert POLICY.of(None) == CALL_AHEAD


@pytest.mark.parametrize("lang, call_ahead", [("en", "not confirmed recently, call ahead"),
                                              ("fr", "pas confirmé récemment, appelez avant")])
def test_search_says_call_ahead_at_90_days_and_leaves_out_at_180(
        db_url: str, lang: str, call_ahead: str) -> None:
    with session_scope(db_url) as s:
        fresh = add_service(s, "meals", name="Fresh Kitchen")
        old = add_service(s, "meals", name="Old Kitchen")
        gone = add_service(s, "meals", name="Gone Kitchen")
    confirmed(db_url, fresh, 10)
    confirmed(db_url, old, 120)
    confirmed(db_url, gone, 200)
    with session_scope(db_url) as s:
        found = {li.id: li for li in search(s, "meals", MARKET, NOW, limit=10,
                                            policy=POLICY).results}
        assert set(found) == {fresh, old}
        assert found[fresh].freshness == FRESH and call_ahead not in listing_line(
            1, found[fresh], lang)
        assert found[old].freshness == CALL_AHEAD
        assert found[old].verified(lang) == call_ahead and call_ahead in listing_line(
            1, found[old], lang)
        # The one named service still answers, saying how stale it is.
        assert details(s, gone, NOW, policy=POLICY).verified(lang) == call_ahead
        queue = stale_queue(s, POLICY)
        assert [row["id"] for row in queue] == [gone] and queue[0]["days"] == 200


@pytest.mark.parametrize("lang, fresh_text, unknown", [
    ("en", "3 beds free at 21:40", "beds: unknown, call ahead"),
    ("fr", "3 lits libres à 21 h 40", "lits : inconnu, appelez avant"),
])
def test_a_bed_count_is_said_with_its_time_or_as_unknown_after_6_hours(
        db_url: str, lang: str, fresh_text: str, unknown: str) -> None:
    with session_scope(db_url) as s:
        sid = add_service(s, "shelter", name="Harbour House", capacity=(3, 40))
    confirmed(db_url, sid, 1, beds_at=datetime(2027, 3, 1, 21, 40))
    with session_scope(db_url) as s:
        listing = details(s, sid, NOW, policy=POLICY)
        assert listing.beds_fresh and listing.beds(lang) == fresh_text
        late = details(s, sid, NOW, policy=Policy(now=datetime(2027, 3, 2, 3, 41)))
        assert not late.beds_fresh and late.beds(lang) == unknown
        assert "3" not in late.beds(lang)
        shorter = Policy(now=NOW, beds_fresh_hours=0.25)
        assert details(s, sid, NOW, policy=shorter).beds(lang) == unknown


def test_fresh_free_beds_come_first_at_similar_distance_and_full_ones_stay(db_url: str) -> None:
    lat, lon = MARKET.lat, MARKET.lon
    with session_scope(db_url) as s:
        full = add_service(s, "shelter", name="A Full", at=(lat, lon), capacity=(0, 20))
        free = add_service(s, "shelter", name="B Free", at=(lat + 0.003, lon), capacity=(4, 20))
        stale_count = add_service(s, "shelter", name="C Old count", at=(lat + 0.001, lon),
                                  capacity=(9, 20))
        far_free = add_service(s, "shelter", name="D Far", at=(lat + 0.05, lon),
                               capacity=(5, 20))
    confirmed(db_url, full, 1, beds_at=NOW - timedelta(hours=1))
    confirmed(db_url, free, 1, beds_at=NOW - timedelta(hours=1))
    confirmed(db_url, stale_count, 1, beds_at=NOW - timedelta(hours=8))
    confirmed(db_url, far_free, 1, beds_at=NOW - timedelta(hours=1))
    with session_scope(db_url) as s:
        order = [li.id for li in search(s, "shelter", MARKET, NOW, limit=10,
                                         policy=POLICY).results]
    assert order == [free, full, stale_count, far_free]


def test_the_demo_ages_with_its_loading_not_the_calendar(db_url: str) -> None:
    later = DEMO_AS_OF + timedelta(days=400)
    with session_scope(db_url) as s:
        load_demo(s, today=later)
    with session_scope(db_url) as s:
        policy = Policy(now=datetime.combine(later, datetime.min.time()) + timedelta(hours=12))
        results = search(s, "shelter", MARKET, policy.now, limit=5, policy=policy).results
        assert results and all(li.freshness in (FRESH, CALL_AHEAD) for li in results)
        assert not stale_queue(s, policy)


def test_stale_cli_lists_the_queue(db_url: str) -> None:
    from tests.directory.test_cli import cli

    with session_scope(db_url) as s:
        sid = add_service(s, "meals", name="Forgotten Kitchen")
        s.execute(update(Service).where(Service.id == sid).values(
            last_verified_at=datetime.combine(date.today() - timedelta(days=365),
                                              datetime.min.time())))
    run = cli("stale", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert [r["id"] for r in rows] == [sid] and rows[0]["days"] >= 364
