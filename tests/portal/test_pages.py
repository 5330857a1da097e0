"""The provider web page over real HTTP, on SQLite and PostgreSQL: signing in and out,
the cookie's flags, CSRF, who sees and changes what (refusals audited by
``directory.access``), stale forms, bad input, both languages, and that a change is
what clients read next (``directory.listing.details``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from directory import provider
from directory.access import Actor
from directory.db import session_scope
from directory.listing import details
from directory.models import AuditEntry, Service
from tests.api.server import Api
from tests.portal.client import Browser
from words import say


def signed_in(site: Api, people: dict[str, Any], role: str = "provider") -> Browser:
    browser = Browser(site.base)
    page = browser.sign_in(people["tokens"][role])
    assert page.status == 303 and page.header("location") == "/portal/", page.text
    return browser


def version_of(url: str, service_id: str) -> int:
    with session_scope(url) as s:
        return s.get(Service, service_id).version  # type: ignore[union-attr]


def refusals(url: str, service_id: str) -> list[str]:
    with session_scope(url) as s:
        return list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.service_id == service_id, AuditEntry.action.like("refused %"))))


def test_the_sign_in_page_is_for_phones_and_needs_no_script(site: Api) -> None:
    page = Browser(site.base).get("/portal/")
    assert page.status == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert "<script" not in page.text
    assert say("portal_signin_heading", "en") in page.text
    assert page.header("cache-control") == "no-store"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_wrong_or_revoked_token_does_not_sign_in(site: Api, people: dict[str, Any], lang: str) -> None:
    for token in ("not-a-token", people["tokens"]["revoked"]):
        browser = Browser(site.base)
        form = browser.get(f"/portal/?lang={lang}")
        page = browser.post("/portal/signin", {"csrf": form.csrf, "token": token})
        assert page.status == 401
        assert say("portal_signin_wrong", lang) in page.text
        assert say("portal_signout_button", lang) not in browser.get("/portal/").text


def test_the_session_cookie_is_httponly_strict_and_not_secure_over_http(
        site: Api, people: dict[str, Any]) -> None:
    browser = Browser(site.base)
    first = browser.get("/portal/")
    page = browser.post("/portal/signin", {"csrf": first.csrf, "token": people["tokens"]["provider"]})
    (cookie,) = page.cookies()
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/portal"} <= flags
    assert "secure" not in flags
    # a new session id once signed in (no session fixation)
    assert cookie.split(";")[0] != first.cookies()[0].split(";")[0]


def test_the_cookie_is_secure_when_the_public_url_is_https(
        fresh_demo_url: str, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_PUBLIC_URL", "https://waypoint.example.org")
    site = Api(fresh_demo_url)
    try:
        (cookie,) = Browser(site.base).get("/portal/").cookies()
    finally:
        site.stop()
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_a_provider_changes_its_hours_and_clients_see_them(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people)
    home = browser.get("/portal/")
    assert f"/portal/services/{people['ours']}" in home.text
    assert f"/portal/services/{people['theirs']}" not in home.text
    edit = browser.get(f"/portal/services/{people['ours']}")
    assert edit.status == 200 and "<script" not in edit.text
    assert f'href="/portal/services/{people["ours"]}?lang=fr"' in edit.text   # stays on the page
    saved = browser.post(f"/portal/services/{people['ours']}/hours", {
        "csrf": edit.csrf, "version": str(edit.version), "days": ["MO", "WE", "FR"],
        "opens": "20:00", "closes": "08:00"})   # overnight
    assert saved.status == 303, saved.text
    assert say("portal_saved", "en") in browser.get(f"/portal/services/{people['ours']}").text
    with session_scope(site.url) as s:
        rules = details(s, people["ours"]).hours.rules
        assert [(sorted(r.days), r.opens, r.closes) for r in rules] == [([0, 2, 4], time(20), time(8))]
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.service_id == people["ours"],
                                                       AuditEntry.action == "set-hours")
                        ) == "front desk (provider)"


def test_close_reopen_beds_and_still_correct(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people)
    path = f"/portal/services/{people['ours']}"

    def post(what: str, **fields: str) -> None:
        page = browser.get(path)
        reply = browser.post(f"{path}/{what}", {"csrf": page.csrf, "version": str(page.version), **fields})
        assert reply.status == 303, reply.text

    today = datetime.now().date()
    post("close", reason="flood", reason_fr="inondation", to=(today + timedelta(days=2)).isoformat())
    page = browser.get(f"{path}?lang=fr")
    assert say("portal_closed_now", "fr", reason="inondation") in page.text
    with session_scope(site.url) as s:
        assert details(s, people["ours"]).hours.closure is not None
    post("reopen")
    post("beds", available="3", maximum="40")
    post("confirm")
    with session_scope(site.url) as s:
        listing = details(s, people["ours"])
        assert listing.hours.closure is None
        assert (listing.capacity.available, listing.capacity.maximum) == (3, 40)  # type: ignore[union-attr]
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.service_id == people["ours"])
                                 .order_by(AuditEntry.id)))
    assert [a for a in actions if not a.startswith("refused")][-4:] == [
        "close-temporarily", "reopen", "set-beds", "confirm"]


def test_a_form_without_the_sessions_csrf_token_is_refused(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people)
    edit = browser.get(f"/portal/services/{people['ours']}")
    before = version_of(site.url, people["ours"])
    for csrf in ("", "forged", Browser(site.base).get("/portal/").csrf):
        page = browser.post(f"/portal/services/{people['ours']}/confirm",
                            {"csrf": csrf, "version": str(edit.version)})
        assert page.status == 403 and say("portal_bad_form", "en") in page.text
    assert version_of(site.url, people["ours"]) == before
    assert Browser(site.base).post("/portal/signin", {"token": people["tokens"]["provider"]}).status == 403
    assert browser.post("/portal/signout", {"csrf": "forged"}).status == 403


def test_a_provider_cannot_touch_another_organizations_service(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people)
    theirs = people["theirs"]
    before = version_of(site.url, theirs)
    page = browser.get(f"/portal/services/{theirs}")
    assert page.status == 403
    assert say("refused_other_organization", "en") in page.text
    csrf = browser.get("/portal/").csrf
    for what, fields in (("hours", {"days": "MO", "opens": "09:00", "closes": "17:00"}),
                         ("beds", {"available": "nonsense"}), ("confirm", {})):
        reply = browser.post(f"/portal/services/{theirs}/{what}",
                             {"csrf": csrf, "version": str(before), **fields})
        assert reply.status == 403, (what, reply.text)
    assert version_of(site.url, theirs) == before
    assert refusals(site.url, theirs) == ["refused read", "refused hours", "refused beds",
                                          "refused confirm"]
    assert browser.get("/portal/services/no-such-service").status == 404


def test_a_peer_has_nothing_to_edit(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people, "peer")
    assert say("portal_nothing_to_edit", "en") in browser.get("/portal/").text
    page = browser.get(f"/portal/services/{people['ours']}")
    assert page.status == 200 and say("portal_read_only", "en") in page.text
    assert 'id="hours-form"' not in page.text
    before = version_of(site.url, people["ours"])
    reply = browser.post(f"/portal/services/{people['ours']}/confirm",
                         {"csrf": page.csrf, "version": str(before)})
    assert reply.status == 403 and version_of(site.url, people["ours"]) == before
    assert refusals(site.url, people["ours"]) == ["refused confirm"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_admin_sees_every_organization_and_the_stale_queue(
        site: Api, people: dict[str, Any], lang: str) -> None:
    with session_scope(site.url) as s:
        old = s.get(Service, people["theirs"])
        old.last_verified_at = datetime.now() - timedelta(days=400)  # type: ignore[union-attr]
        name = old.name  # type: ignore[union-attr]
    browser = signed_in(site, people, "admin")
    home = browser.get(f"/portal/?lang={lang}")
    assert say("portal_stale_queue", lang) in home.text and say("portal_all_services", lang) in home.text
    stale = home.text.split('id="stale"')[1]
    assert name.replace("'", "&#39;") in stale
    assert f"/portal/services/{people['ours']}" in home.text
    assert browser.get(f"/portal/services/{people['theirs']}").status == 200
    provider_home = signed_in(site, people).get("/portal/")
    assert 'id="stale"' not in provider_home.text
    assert say("portal_stale_queue", "en") not in provider_home.text


def test_a_form_made_stale_by_someone_else_saves_nothing(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people)
    edit = browser.get(f"/portal/services/{people['ours']}")
    with session_scope(site.url) as s:
        provider.confirm(s, people["ours"], Actor.operator("someone else"))
    now = version_of(site.url, people["ours"])
    page = browser.post(f"/portal/services/{people['ours']}/beds",
                        {"csrf": edit.csrf, "version": str(edit.version), "available": "1"})
    assert page.status == 409 and say("portal_stale_form", "en") in page.text
    assert page.version == now == version_of(site.url, people["ours"])


@pytest.mark.parametrize("fields, key", [
    ({"opens": "09:00", "closes": "17:00"}, "portal_bad_days"),
    ({"days": "MO", "opens": "9h", "closes": "17:00"}, "portal_bad_time"),
    ({"days": "MO", "opens": "25:00", "closes": "17:00"}, "portal_bad_time"),
])
def test_bad_hours_reshow_the_form_with_the_error(site: Api, people: dict[str, Any],
                                                  fields: dict[str, str], key: str) -> None:
    browser = signed_in(site, people)
    edit = browser.get(f"/portal/services/{people['ours']}?lang=fr")
    before = version_of(site.url, people["ours"])
    page = browser.post(f"/portal/services/{people['ours']}/hours",
                        {"csrf": edit.csrf, "version": str(edit.version), **fields})
    assert page.status == 422 and say(key, "fr") in page.text
    assert f'value="{fields["opens"]}"' in page.text    # what was typed is kept
    assert version_of(site.url, people["ours"]) == before


def test_bad_closures_and_beds_are_refused_with_a_reason(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people)
    path = f"/portal/services/{people['ours']}"
    for what, fields, text in (
            ("close", {"reason": " "}, say("portal_bad_reason", "en")),
            ("close", {"reason": "flood", "to": "2026-02-30"}, say("portal_bad_date", "en")),
            ("close", {"reason": "flood", "from": "2030-01-05", "to": "2030-01-01"}, "before it starts"),
            ("beds", {"available": "-1"}, say("portal_bad_number", "en")),
            ("beds", {"available": "50", "maximum": "10"}, "between 0 and 10")):
        edit = browser.get(path)
        page = browser.post(f"{path}/{what}", {"csrf": edit.csrf, "version": str(edit.version), **fields})
        assert page.status == 422 and text in page.text, (fields, page.text)


def test_signing_out_ends_the_session(site: Api, people: dict[str, Any]) -> None:
    browser = signed_in(site, people)
    kept = dict(browser.jar)
    home = browser.get("/portal/?lang=fr")
    out = browser.post("/portal/signout", {"csrf": home.csrf})
    assert out.status == 303
    page = browser.get("/portal/")
    assert say("portal_signed_out", "fr") in page.text and say("portal_signin_heading", "fr") in page.text
    stolen = Browser(site.base, kept)   # the old cookie signs in no more
    assert stolen.get(f"/portal/services/{people['ours']}").status == 303
