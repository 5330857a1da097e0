"""The provider web page in a real browser (headless Chromium through Selenium), with no
JavaScript needed: a shelter's provider signs in, changes the hours, and the change is
what a client's search finds next on the same database; and, with the trained model,
what the real assistant answers through the REST channel (``tests/e2e/servers.py``).

A screenshot of the edit page is kept in the test's folder and in
``test-artifacts/portal-edit.png`` (git-ignored), to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from directory import accounts
from directory.db import session_scope
from directory.listing import details
from directory.models import Service
from directory.schedules import TZ
from directory.search import search
from tests.api.server import ADMIN, Api
from words import say

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SHELTER = "Cathcart Mission Emergency Shelter"

pytestmark = pytest.mark.slow  # starts a browser of its own


@pytest.fixture
def site(demo_sqlite: str) -> Iterator[Api]:
    server = Api(demo_sqlite)
    yield server
    server.stop()


def next_weekday(weekday: int, hour: int) -> datetime:
    """The next ``weekday`` (0 = Monday) at ``hour``, local time, at least a day away."""
    today = datetime.now(TZ).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    ahead = (weekday - today.weekday()) % 7 or 7
    return (today + timedelta(days=ahead)).replace(hour=hour)


def submit(chrome: Any, element_id: str) -> None:
    """Click a form's button and wait until the next page has replaced this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    button = chrome.find_element(By.ID, element_id)
    button.click()
    WebDriverWait(chrome, 20).until(staleness_of(button))


def test_a_shelter_changes_its_hours_in_a_browser_and_clients_see_them(
        site: Api, chrome: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    with session_scope(site.url) as s:
        shelter = s.scalars(select(Service).where(Service.name == SHELTER)).one()
        sid = shelter.id
        token = accounts.create(s, ADMIN, "provider", "night desk", shelter.organization_id).token

    chrome.get(f"{site.base}/portal/")
    assert chrome.execute_script("return document.querySelectorAll('script').length") == 0
    chrome.find_element(By.ID, "token").send_keys(token)
    submit(chrome, "signin")
    link = chrome.find_element(By.LINK_TEXT, SHELTER)
    link.click()
    WebDriverWait(chrome, 20).until(staleness_of(link))
    assert chrome.find_element(By.ID, "service-name").text == SHELTER

    for box in chrome.find_elements(By.CSS_SELECTOR, "input[name=days]"):
        if box.is_selected():
            box.click()
    for code in ("SA", "SU"):
        chrome.find_element(By.ID, f"day-{code}").click()
    for name, value in (("opens", "21:00"), ("closes", "07:00")):   # overnight
        field = chrome.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    submit(chrome, "save-hours")
    assert say("portal_saved", "en") in chrome.find_element(By.CSS_SELECTOR, ".notice").text
    week = chrome.find_element(By.ID, "week").text
    assert "21:00" in week and "07:00" in week

    shot = tmp_path / "portal-edit.png"
    chrome.save_screenshot(str(shot))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "portal-edit.png")
    assert shot.stat().st_size > 10_000

    saturday_night, wednesday_noon = next_weekday(5, 22), next_weekday(2, 12)
    with session_scope(site.url) as s:
        listing = details(s, sid)
        assert [(sorted(r.days), r.opens, r.closes) for r in listing.hours.rules] == [
            ([5, 6], time(21), time(7))]
        assert details(s, sid, at=saturday_night).state.open
        assert not details(s, sid, at=wednesday_noon).state.open
        found = search(s, "shelter", at=saturday_night, limit=50).results
        assert any(r.id == sid and r.state.open for r in found)
        midweek = search(s, "shelter", at=wednesday_noon, limit=50).results
        assert not any(r.id == sid and r.state.open for r in midweek)

    # and in French, the same page after a change of language
    chrome.get(f"{site.base}/portal/services/{sid}?lang=fr")
    assert chrome.find_element(By.ID, "save-hours").text == say("portal_save_hours", "fr")
    submit(chrome, "signout")
    assert say("portal_signed_out", "fr") in chrome.page_source


@pytest.mark.model  # needs models/waypoint.tar.gz; Servers fails without it
def test_a_change_in_the_browser_is_what_the_rest_channel_answers(chrome: Any, tmp_path: Path) -> None:
    """The real servers (Rasa and the action server) on one demo database, the web page on
    the same one: hours and beds set in the browser are in the assistant's next answer."""
    from selenium.webdriver.common.by import By

    from tests.e2e.servers import Servers

    (tmp_path / "servers").mkdir()
    servers = Servers(tmp_path / "servers")
    site = Api(servers.db)
    try:
        with session_scope(servers.db) as s:
            shelter = s.scalars(select(Service).where(Service.name == "Harbour House Night Shelter")).one()
            sid = shelter.id
            token = accounts.create(s, ADMIN, "provider", "night desk", shelter.organization_id).token
        chrome.get(f"{site.base}/portal/")
        chrome.find_element(By.ID, "token").send_keys(token)
        submit(chrome, "signin")
        chrome.get(f"{site.base}/portal/services/{sid}")
        for box in chrome.find_elements(By.CSS_SELECTOR, "input[name=days]"):
            if not box.is_selected():
                box.click()
        for name, value in (("opens", "00:00"), ("closes", "00:00")):   # round the clock
            field = chrome.find_element(By.ID, name)
            field.clear()
            field.send_keys(value)
        submit(chrome, "save-hours")
        for name, value in (("available", "7"), ("maximum", "40")):
            field = chrome.find_element(By.ID, name)
            field.clear()
            field.send_keys(value)
        submit(chrome, "save-beds")
        assert say("portal_saved", "en") in chrome.find_element(By.CSS_SELECTOR, ".notice").text
        # the demo has it open 19:00-08:00; now round the clock, with a fresh bed count
        reply = servers.say("portal-test-client", "I need a bed near the ByWard Market")
        line = next(x for x in reply.splitlines() if "Harbour House Night Shelter" in x)
        assert "open 24/7" in line and "7 beds free" in line, reply
    finally:
        site.stop()
        servers.stop()
