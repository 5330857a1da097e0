"""Reminders to providers: who is due, once a week at most, claimed by one server only;
and the sealed contact they are sent to. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from directory import accounts
from directory.access import Actor
from directory.contact import UnreadableContact, seal, unseal
from directory.db import session_scope, sessionmaker_for
from directory.freshness import Policy
from directory.models import Service
from directory.nudges import claim, due
from tests.directory.builders import add_service

NOW = datetime(2027, 3, 1, 10, 0)
KEY = b"k" * 32
ADMIN = Actor.operator("test")


@pytest.fixture
def linked(db_url: str) -> dict[str, str]:
    with session_scope(db_url) as s:
        sid = add_service(s, "shelter", name="Harbour House")
        org = s.get(Service, sid).organization_id  # type: ignore[union-attr]
        made = accounts.create(s, ADMIN, "provider", "front desk", org)
        accounts.link(s, made.link_code, "telegram", "a" * 64, contact=seal(KEY, "123456789"))
        s.execute(update(Service).where(Service.id == sid).values(
            last_verified_at=NOW - timedelta(days=31)))
    return {"url": db_url, "service": sid, "account": made.id}


def test_a_contact_is_sealed_and_only_the_key_opens_it() -> None:
    sealed = seal(KEY, "+16135550123")
    assert "6135550123" not in sealed and sealed != seal(KEY, "+16135550123")  # fresh nonce
    assert unseal(KEY, sealed) == "+16135550123"
    with pytest.raises(UnreadableContact):
        unseal(b"x" * 32, sealed)


def test_the_database_holds_no_raw_contact(linked: dict[str, str]) -> None:
    with session_scope(linked["url"]) as s:
        stored = " ".join(str(v) for v in s.execute(text("SELECT * FROM account_link")).one())
    assert "123456789" not in stored


def test_due_at_30_days_then_once_a_week(linked: dict[str, str]) -> None:
    url = linked["url"]
    with session_scope(url) as s:
        [reminder] = due(s, Policy(now=NOW))
        assert reminder.account_id == linked["account"] and reminder.channel == "telegram"
        assert reminder.services == ("Harbour House",)
        assert unseal(KEY, reminder.contact) == "123456789"
        assert claim(s, linked["account"], NOW)
    with session_scope(url) as s:
        assert due(s, Policy(now=NOW + timedelta(days=6))) == []
        assert not claim(s, linked["account"], NOW + timedelta(days=6))
        assert len(due(s, Policy(now=NOW + timedelta(days=7, minutes=1)))) == 1
        assert claim(s, linked["account"], NOW + timedelta(days=7, minutes=1))


def test_not_due_when_confirmed_unlinked_or_revoked(linked: dict[str, str]) -> None:
    url = linked["url"]
    with session_scope(url) as s:
        assert due(s, Policy(now=NOW - timedelta(days=2))) == []  # 29 days old then
    with session_scope(url) as s:
        accounts.revoke(s, ADMIN, linked["account"])
    with session_scope(url) as s:
        assert due(s, Policy(now=NOW)) == []


def test_two_servers_claim_the_same_account_once(linked: dict[str, str]) -> None:
    factory = sessionmaker_for(linked["url"])
    first, second = factory(), factory()
    try:
        first.begin()
        second.begin()
        won_first = claim(first, linked["account"], NOW)
        first.commit()
        won_second = claim(second, linked["account"], NOW)
        second.commit()
    finally:
        first.close()
        second.close()
    assert [won_first, won_second] == [True, False]
    with session_scope(linked["url"]) as s:
        assert s.execute(select(text("count(*)")).select_from(text("account_nudge"))).scalar() == 1
