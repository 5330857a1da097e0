"""Authorisation, decided in directory.access: every role against every kind of change,
on SQLite and PostgreSQL, through the functions every front end calls."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Callable

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from directory import accounts, provider
from directory.access import ALLOWED, Actor, Change, Forbidden, Role, authorise
from directory.accounts import BadLinkCode
from directory.db import session_scope
from directory.errors import DirectoryError
from directory.models import Account, AccountLink, AuditEntry, Service
from tests.conftest import BACKENDS, PostgresDatabases, _new_database
from tests.directory.builders import add_service

ADMIN = Actor.operator("test admin")

# Each kind of service change, made the way every front end makes it.
CHANGES: dict[Change, Callable[[Session, str, Actor], object]] = {
    Change.READ: lambda s, sid, who: authorise(s, who, Change.READ, sid),
    Change.HOURS: lambda s, sid, who: provider.set_hours(
        s, sid, [provider.WeeklyHours(frozenset(range(5)), time(9), time(17))], who),
    Change.CLOSE: lambda s, sid, who: provider.close_temporarily(s, sid, "flood", who),
    Change.REOPEN: lambda s, sid, who: provider.reopen(s, sid, who),
    Change.BEDS: lambda s, sid, who: provider.set_beds(s, sid, 3, who, maximum=40),
    Change.CONFIRM: lambda s, sid, who: provider.confirm(s, sid, who),
    Change.ACCOUNTS: lambda s, sid, who: accounts.create(s, who, "peer", "outreach van"),
    Change.STALE_QUEUE: lambda s, sid, who: authorise(s, who, Change.STALE_QUEUE),
    Change.RESTORE: lambda s, sid, who: authorise(s, who, Change.RESTORE),
}


def make_world(db_url: str) -> dict[str, object]:
    """Two organizations with a service each, and an account of every role."""
    with session_scope(db_url) as s:
        ours = add_service(s, "shelter", name="Harbour House")
        theirs = add_service(s, "shelter", name="Other Place")
        org = s.get(Service, ours).organization_id  # type: ignore[union-attr]
        made = {
            "provider": accounts.create(s, ADMIN, "provider", "front desk", org),
            "peer": accounts.create(s, ADMIN, "peer", "outreach"),
            "admin": accounts.create(s, ADMIN, "admin", "coordinator"),
        }
    with session_scope(db_url) as s:
        actors = {role: accounts.by_token(s, new.token) for role, new in made.items()}
    return {"url": db_url, "ours": ours, "theirs": theirs, "actors": actors, "made": made}


@pytest.fixture
def world(db_url: str) -> dict[str, object]:
    return make_world(db_url)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_world(request: pytest.FixtureRequest, postgres: PostgresDatabases,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One world per back-end for the role matrix: each case checks only its own
    change (the version it saw, the newest audit entry), so they can share it."""
    return make_world(_new_database(request.param, postgres, tmp_path_factory.mktemp("access")))


def expected(role: Role, change: Change, own: bool) -> bool:
    if role is Role.PROVIDER and change in ALLOWED[Role.PROVIDER]:
        return own
    return change in ALLOWED[role]


@pytest.mark.parametrize("change", list(Change))
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("own", [True, False], ids=["own-service", "other-organization"])
def test_every_role_against_every_change(shared_world: dict[str, object], role: Role,
                                         change: Change, own: bool) -> None:
    world = shared_world
    url = str(world["url"])
    sid = str(world["ours" if own else "theirs"])
    who = world["actors"][role.value]  # type: ignore[index]
    assert who is not None and who.role is role
    with session_scope(url) as s:
        before = s.get(Service, sid).version  # type: ignore[union-attr]
    if expected(role, change, own):
        with session_scope(url) as s:
            CHANGES[change](s, sid, who)
        return
    with pytest.raises(Forbidden) as refused:
        with session_scope(url) as s:
            CHANGES[change](s, sid, who)
    assert str(refused.value)  # a sentence the front end shows as it is
    with session_scope(url) as s:
        assert s.get(Service, sid).version == before  # type: ignore[union-attr]
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == f"refused {change.value}"
        assert entry.account_id == who.account_id and "reason" in (entry.new_value or "")


def test_changes_are_audited_with_the_account(world: dict[str, object]) -> None:
    who = world["actors"]["provider"]  # type: ignore[index]
    with session_scope(str(world["url"])) as s:
        provider.set_beds(s, str(world["ours"]), 2, who, maximum=10)
    with session_scope(str(world["url"])) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "set-beds")).one()
        assert entry.account_id == who.account_id and entry.actor == "front desk (provider)"


def test_tokens_and_link_codes_are_kept_only_as_digests(world: dict[str, object]) -> None:
    made = world["made"]["provider"]  # type: ignore[index]
    with session_scope(str(world["url"])) as s:
        for column in ("token_digest", "link_code_digest", "name", "id", "org_id"):
            values = [str(v) for v in s.execute(text(f"SELECT {column} FROM account")).scalars()]
            assert made.token not in values and made.link_code not in values
        assert accounts.by_token(s, made.token + "x") is None and accounts.by_token(s, "") is None


def test_a_link_code_works_once_and_links_the_pseudonymous_sender(
        world: dict[str, object]) -> None:
    made = world["made"]["provider"]  # type: ignore[index]
    sender = "a" * 64  # what the channel gives: an HMAC, never the number
    with session_scope(str(world["url"])) as s:
        who = accounts.link(s, made.link_code.lower()[:4] + " " + made.link_code[4:],
                            "telegram", sender)
        assert who.account_id == made.id and who.org_id == made.org_id
    with session_scope(str(world["url"])) as s:
        assert accounts.by_sender(s, "telegram", sender).account_id == made.id  # type: ignore[union-attr]
        assert accounts.by_sender(s, "sms", sender) is None
        with pytest.raises(BadLinkCode):
            accounts.link(s, made.link_code, "sms", "b" * 64)


def test_an_expired_link_code_is_refused(world: dict[str, object]) -> None:
    made = world["made"]["peer"]  # type: ignore[index]
    with session_scope(str(world["url"])) as s:
        s.execute(update(Account).where(Account.id == made.id).values(
            link_code_expires_at=made.link_code_expires_at - timedelta(hours=25)))
    with pytest.raises(BadLinkCode, match="expired"):
        with session_scope(str(world["url"])) as s:
            accounts.link(s, made.link_code, "sms", "c" * 64)


def test_revoking_stops_the_token_and_the_links(world: dict[str, object]) -> None:
    made = world["made"]["provider"]  # type: ignore[index]
    url = str(world["url"])
    with session_scope(url) as s:
        accounts.link(s, made.link_code, "sms", "d" * 64)
    with session_scope(url) as s:
        accounts.revoke(s, ADMIN, made.id)
    with session_scope(url) as s:
        assert accounts.by_token(s, made.token) is None
        assert accounts.by_sender(s, "sms", "d" * 64) is None
        assert not s.scalars(select(AccountLink)).all()
        rows = accounts.listing(s, ADMIN)
        assert next(r for r in rows if r["id"] == made.id)["revoked_at"]


@pytest.mark.parametrize("role, org, message", [
    ("provider", None, "needs its organization"),
    ("provider", "no-such-org", "no organization"),
    ("peer", "some-org", "takes no organization"),
    ("captain", None, "captain"),
])
def test_bad_account_requests_are_clear_errors(world: dict[str, object], role: str,
                                              org: str | None, message: str) -> None:
    with pytest.raises((DirectoryError, ValueError), match=message):
        with session_scope(str(world["url"])) as s:
            accounts.create(s, ADMIN, role, "someone", org)


def test_a_blank_operator_name_is_refused() -> None:
    with pytest.raises(DirectoryError, match="who makes the change"):
        Actor.operator("  ")


def test_closing_with_a_date_range_then_reopening_through_the_checks(
        world: dict[str, object]) -> None:
    who = world["actors"]["provider"]  # type: ignore[index]
    with session_scope(str(world["url"])) as s:
        provider.close_temporarily(s, str(world["ours"]), "holidays", who,
                                   since=date(2026, 12, 24), until=date(2026, 12, 26))
        service = s.get(Service, str(world["ours"]))
        assert service is not None and service.closed_until == date(2026, 12, 26)
