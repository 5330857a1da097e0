"""The providers' short commands, on SQLite and PostgreSQL: every command in English and
French, strict refusals, one-SMS echoes that match what a client search then shows,
choosing among services, UNDO, and who may do what."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from conversation.sms import sms_segments
from directory import accounts, provider
from directory.access import Actor
from directory.commands import Outcome, handle
from directory.commands_parse import (
    Beds,
    Close,
    Confirm,
    Hours,
    Invalid,
    Reopen,
    Status,
    Undo,
    Usage,
    parse,
)
from directory.db import session_scope
from directory.i18n import clock
from directory.listing import Listing, details
from directory.models import AuditEntry, Schedule, Service
from directory.provider import WeeklyHours
from directory.schedules import week_table
from tests.directory.builders import add_service

ADMIN = Actor.operator("test admin")
NOW = datetime(2026, 12, 8, 10, 0)  # a Tuesday morning
TODAY = NOW.date()
BEDS_UPDATED = datetime(2026, 12, 7, 21, 0)

# The same commands in each language; OK is both, so its language comes from the chat.
SAID = {
    "en": {"beds_of": "BEDS 3/40", "beds": "BEDS 3", "close_today": "CLOSED TODAY flood",
           "close_range": "CLOSED 24-12 TO 26-12 holidays", "new_year": "CLOSED 28-12 TO 02-01 holidays",
           "open": "OPEN", "hours": "HOURS MO-FR 09:00-17:00", "night": "HOURS DAILY 19:00-07:00",
           "two": "HOURS MO-FR 09:00-12:00, MO-FR 13:00-17:00", "ok": "OK", "undo": "UNDO",
           "status": "STATUS", "reason": "flood", "holidays": "holidays"},
    "fr": {"beds_of": "LITS 3/40", "beds": "LITS 3", "close_today": "FERMÉ AUJOURD'HUI inondation",
           "close_range": "FERMÉ 24-12 AU 26-12 vacances", "new_year": "FERMÉ 28-12 AU 02-01 vacances",
           "open": "OUVERT", "hours": "HEURES LU-VE 9h-17h", "night": "HEURES TLJ 19:00-07:00",
           "two": "HEURES LU-VE 9h-12h; LU-VE 13h-17h", "ok": "OK", "undo": "ANNULER",
           "status": "ÉTAT", "reason": "inondation", "holidays": "vacances"},
}
LANGS = ["en", "fr"]
UNDO_HINT = {"en": "Reply UNDO within 10 min", "fr": "Répondez ANNULER dans les 10 min"}


class Clock:
    """The moment provider.py stamps changes with, moved by the tests."""

    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock_at(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moment = Clock()
    monkeypatch.setattr(provider, "_now", moment)
    return moment


@dataclass
class World:
    url: str
    clock: Clock
    ours: str            # Harbour House, the desk's one service
    theirs: str          # another organization's service
    drop_in: str         # Riverside's two services
    meals: str
    desk: Actor          # two accounts of Harbour House's organization
    night: Actor
    riverside: Actor
    peer: Actor

    def run(self, who: Actor, text: str, **kw: Any) -> Outcome:
        kw.setdefault("now", self.clock.at)
        with session_scope(self.url) as s:
            return handle(s, who, text, **kw)

    def listing(self, sid: str | None = None, at: datetime | None = None) -> Listing:
        with session_scope(self.url) as s:
            return details(s, sid or self.ours, at or self.clock.at)

    def audit(self) -> list[AuditEntry]:
        with session_scope(self.url) as s:
            return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.fixture
def world(db_url: str, clock_at: Clock) -> World:
    """Harbour House (beds 5/40, open daily 07:00-21:00, a seasonal row too), another
    organization's service, Riverside with two services, and the accounts."""
    with session_scope(db_url) as s:
        ours = add_service(s, "shelter", name="Harbour House", capacity=(5, 40),
                           hours=[("MO,TU,WE,TH,FR,SA,SU", "07:00", "21:00")])
        service = s.get(Service, ours)
        service.capacity_updated_at = BEDS_UPDATED
        s.add(Schedule(id=str(uuid.uuid4()), service_id=ours, kind="regular", byday="SA",
                       opens_at=time(22), closes_at=time(23), valid_from=date(2026, 6, 1),
                       valid_to=date(2027, 5, 31), notes="winter late opening"))
        theirs = add_service(s, "shelter", name="Other Place", capacity=(2, 10))
        drop_in = add_service(s, "drop_in", name="Riverside Drop-in")
        meals = add_service(s, "meals", name="Riverside Meals")
        river_org = s.get(Service, drop_in).organization_id
        s.get(Service, meals).organization_id = river_org
        made = [accounts.create(s, ADMIN, "provider", "front desk", service.organization_id),
                accounts.create(s, ADMIN, "provider", "night desk", service.organization_id),
                accounts.create(s, ADMIN, "provider", "riverside", river_org),
                accounts.create(s, ADMIN, "peer", "outreach")]
    with session_scope(db_url) as s:
        actors = [accounts.by_token(s, m.token) for m in made]
    return World(db_url, clock_at, ours, theirs, drop_in, meals, *actors)


def snapshot(url: str, sid: str) -> tuple[dict[str, Any], list[tuple]]:
    """Everything a command may change on a service, but its version."""
    with session_scope(url) as s:
        service = s.get(Service, sid)
        columns = {c.name: getattr(service, c.name) for c in Service.__table__.c
                   if c.name != "version"}
        rows = sorted((r.id, r.kind, r.byday, r.opens_at, r.closes_at, r.valid_from, r.valid_to,
                       r.service_at_location_id, r.notes)
                      for r in s.scalars(select(Schedule).where(Schedule.service_id == sid)))
    return columns, rows


def one_sms(text: str) -> bool:
    return "\n" not in text and sms_segments(text) == 1


def starts_with_name(reply: str, listing: Listing, lang: str) -> bool:
    return reply.startswith(listing.title(lang) + (" : " if lang == "fr" else ": "))


# ---------------------------------------------------------------- every command, both languages

@pytest.mark.parametrize("lang", LANGS)
def test_beds_are_set_and_echoed_as_a_client_sees_them(world: World, lang: str) -> None:
    reply = world.run(world.desk, SAID[lang]["beds_of"], lang=lang).text
    listing = world.listing()
    assert (listing.capacity.available, listing.capacity.maximum) == (3, 40)
    assert listing.capacity.updated_at == NOW
    expected = {"en": "Harbour House: 3 of 40 beds free (10:00). Reply UNDO within 10 min to undo.",
                "fr": "Harbour House (fr) : 3 sur 40 lits libres (10 h). "
                      "Répondez ANNULER dans les 10 min pour annuler."}
    assert reply == expected[lang] and one_sms(reply)
    reply = world.run(world.desk, SAID[lang]["beds"]).text  # the maximum stays
    assert world.listing().capacity.maximum == 40 and one_sms(reply)


@pytest.mark.parametrize("lang", LANGS)
def test_closed_today_shows_as_clients_see_it_now(world: World, lang: str) -> None:
    reply = world.run(world.desk, SAID[lang]["close_today"]).text
    listing = world.listing()
    assert not listing.state.open and listing.hours.closure.reason["en"] == SAID[lang]["reason"]
    assert (listing.hours.closure.since, listing.hours.closure.until) == (TODAY, TODAY)
    assert starts_with_name(reply, listing, lang)
    assert listing.state.text(lang, now=True) in reply and UNDO_HINT[lang] in reply
    assert one_sms(reply)
    assert world.listing(at=NOW + timedelta(days=1)).state.open  # tomorrow 10:00


@pytest.mark.parametrize("lang", LANGS)
def test_a_closure_with_dates_is_echoed_with_its_dates(world: World, lang: str) -> None:
    reply = world.run(world.desk, SAID[lang]["close_range"]).text
    closure = world.listing().hours.closure
    assert (closure.since, closure.until) == (date(2026, 12, 24), date(2026, 12, 26))
    assert world.listing().state.open  # not yet
    christmas = world.listing(at=datetime(2026, 12, 25, 12, 0)).state
    assert not christmas.open and SAID[lang]["holidays"] in christmas.text(lang)
    expected = {"en": "Harbour House: closed Dec 24 to Dec 26 (holidays).",
                "fr": "Harbour House (fr) : fermé du 24 déc. au 26 déc. (vacances)."}
    assert reply.startswith(expected[lang]) and one_sms(reply)


@pytest.mark.parametrize("lang", LANGS)
def test_a_closure_may_cross_new_year(world: World, lang: str) -> None:
    reply = world.run(world.desk, SAID[lang]["new_year"]).text
    closure = world.listing().hours.closure
    assert (closure.since, closure.until) == (date(2026, 12, 28), date(2027, 1, 2))
    assert "2027" in reply and one_sms(reply)


@pytest.mark.parametrize("lang", LANGS)
def test_open_ends_a_closure(world: World, lang: str) -> None:
    world.run(world.desk, SAID[lang]["close_today"])
    reply = world.run(world.desk, SAID[lang]["open"]).text
    listing = world.listing()
    assert listing.state.open and listing.hours.closure is None
    assert starts_with_name(reply, listing, lang)
    assert listing.state.text(lang, now=True) in reply and one_sms(reply)
    entries = len(world.audit())
    again = world.run(world.desk, SAID[lang]["open"]).text  # not closed: nothing to do
    assert len(world.audit()) == entries and listing.state.text(lang, now=True) in again


@pytest.mark.parametrize("lang", LANGS)
def test_hours_replace_the_week_as_clients_see_it(world: World, lang: str) -> None:
    reply = world.run(world.desk, SAID[lang]["hours"]).text
    listing = world.listing()
    week = week_table(listing.hours, lang)
    assert week[0][1] == week[4][1] == ("09:00-17:00" if lang == "en" else "9 h-17 h")
    assert week[5][1] == week[6][1] == ("closed" if lang == "en" else "fermé")
    shown = {"en": "Harbour House: hours Mon-Fri 09:00-17:00; Sat-Sun closed.",
             "fr": "Harbour House (fr) : heures lun-ven 9 h-17 h; sam-dim fermé."}
    assert reply.startswith(shown[lang]) and one_sms(reply)


@pytest.mark.parametrize("lang", LANGS)
def test_overnight_hours_and_several_openings(world: World, lang: str) -> None:
    world.run(world.desk, SAID[lang]["night"])
    assert world.listing(at=datetime(2026, 12, 9, 2, 0)).state.open  # 02:00, overnight
    assert not world.listing(at=datetime(2026, 12, 9, 12, 0)).state.open
    reply = world.run(world.desk, SAID[lang]["two"]).text
    assert not world.listing(at=datetime(2026, 12, 9, 12, 30)).state.open  # lunch
    assert world.listing(at=datetime(2026, 12, 9, 13, 30)).state.open
    assert not world.listing(at=datetime(2026, 12, 12, 10, 0)).state.open  # Saturday
    spans = {"en": "09:00-12:00, 13:00-17:00", "fr": "9 h-12 h, 13 h-17 h"}[lang]
    assert spans in reply and one_sms(reply)


@pytest.mark.parametrize("lang", LANGS)
def test_ok_confirms_the_listing(world: World, lang: str) -> None:
    reply = world.run(world.desk, SAID[lang]["ok"], lang=lang).text
    listing = world.listing()
    assert listing.last_verified_at == NOW
    assert starts_with_name(reply, listing, lang) and listing.verified(lang) in reply
    assert one_sms(reply)


@pytest.mark.parametrize("lang", LANGS)
def test_status_is_the_listing_as_clients_see_it_and_changes_nothing(world: World,
                                                                     lang: str) -> None:
    world.run(world.desk, SAID[lang]["close_range"])
    entries = len(world.audit())
    reply = world.run(world.desk, SAID[lang]["status"]).text
    listing = world.listing()
    assert starts_with_name(reply, listing, lang)
    for shown in (listing.state.text(lang, now=True), SAID[lang]["holidays"],
                  clock(BEDS_UPDATED.time(), lang), listing.verified(lang).rstrip(".")):
        assert shown in reply
    assert one_sms(reply) and len(world.audit()) == entries


def test_ok_answers_in_the_chat_language_and_english_by_default(world: World) -> None:
    assert "still correct" in world.run(world.desk, "OK").text
    assert "toujours exact" in world.run(world.desk, "ok", lang="fr").text


# ---------------------------------------------------------------- how commands may be written

@pytest.mark.parametrize("written, canonical", [
    ("beds 3/40", "BEDS 3/40"), ("Beds 3 / 40", "BEDS 3/40"), ("lits 3/40", "LITS 3/40"),
    ("ferme aujourdhui inondation", "FERMÉ AUJOURD'HUI inondation"),
    ("FERME AUJOURD’HUI inondation", "FERMÉ AUJOURD'HUI inondation"),
    ("Fermé 24/12 au 26/12 vacances", "FERMÉ 24-12 AU 26-12 vacances"),
    ("fermé 24-12 à 26-12 vacances", "FERMÉ 24-12 AU 26-12 vacances"),
    ("closed today flood", "CLOSED TODAY flood"), ("ouvert", "OUVERT"), ("Open.", "OPEN"),
    ("heures lu-ve 9H-17H", "HEURES LU-VE 09:00-17:00"),
    ("hours mon-fri 9:00 - 17:00", "HOURS MO-FR 09:00-17:00"),
    ("heures tlj 19h-7h", "HEURES TLJ 19:00-07:00"), ("etat", "ÉTAT"), ("État?", "ÉTAT"),
    ("annuler", "ANNULER"), ("undo", "UNDO"), ("status", "STATUS"), ("ok", "OK"),
])
def test_case_accents_and_spacing_do_not_matter(written: str, canonical: str) -> None:
    assert parse(written, TODAY) == parse(canonical, TODAY)
    assert not isinstance(parse(written, TODAY), (Usage, Invalid))


def test_each_command_reads_as_its_kind_and_language() -> None:
    for lang in LANGS:
        said = SAID[lang]
        assert parse(said["beds_of"], TODAY) == Beds(lang, 3, 40)
        assert parse(said["beds"], TODAY) == Beds(lang, 3)
        assert parse(said["close_today"], TODAY) == Close(lang, said["reason"], TODAY, TODAY, True)
        assert parse(said["open"], TODAY) == Reopen(lang)
        assert parse(said["hours"], TODAY) == Hours(lang, (WeeklyHours(frozenset(range(5)),
                                                                       time(9), time(17)),))
        assert parse(said["ok"], TODAY, lang) == Confirm(lang)
        assert parse(said["undo"], TODAY) == Undo(lang)
        assert parse(said["status"], TODAY) == Status(lang)
    weekend = parse("HOURS FR-MO 10:00-24:00", TODAY)
    assert weekend == Hours("en", (WeeklyHours(frozenset({4, 5, 6, 0}), time(10), time(0)),))


def test_dates_are_the_next_such_date_from_today() -> None:
    assert parse("CLOSED 08-12 TO 09-12 x", TODAY).first == TODAY  # today counts
    assert parse("CLOSED 15-03 TO 20-03 x", TODAY).first == date(2027, 3, 15)
    assert parse("CLOSED 29-02 x", TODAY).first == date(2028, 2, 29)
    assert parse("CLOSED 24-12 x", TODAY) == Close("en", "x", date(2026, 12, 24), date(2026, 12, 24))
    # An English reason may start with "a": it is not the French "à" of a range.
    assert parse("CLOSED 24-12 a burst pipe", TODAY).reason == "a burst pipe"


NOT_COMMANDS = [
    ("", "en", None), ("hello", "en", None), ("please close", "en", None), ("BED 3", "en", None),
    ("BEDS", "en", "beds"), ("BEDS three", "en", "beds"), ("BEDS 3.5", "en", "beds"),
    ("LITS trois", "fr", "beds"), ("CLOSED flood", "en", "close"), ("CLOSED", "en", "close"),
    ("FERMÉ inondation", "fr", "close"), ("HOURS", "en", "hours"), ("HOURS MO-FR", "en", "hours"),
    ("HEURES LU-VE 9h", "fr", "hours"), ("HOURS MO-FR 09:00-12:00,", "en", "hours"),
    ("OPEN now", "en", "open"), ("OUVERT demain", "fr", "open"), ("STATUS please", "en", "status"),
    ("ANNULER tout", "fr", "undo"), ("OK thanks", "en", "ok"),
]


@pytest.mark.parametrize("text, lang, command", NOT_COMMANDS)
def test_what_is_not_a_command_gets_usage_never_a_guess(text: str, lang: str,
                                                        command: str | None) -> None:
    assert parse(text, TODAY) == Usage(lang, command)


def test_usage_replies_are_one_sms_and_change_nothing(world: World) -> None:
    before = snapshot(world.url, world.ours)
    replies = {text: world.run(world.desk, text).text for text, _, _ in NOT_COMMANDS}
    assert all(one_sms(reply) for reply in replies.values())
    assert replies["LITS trois"].startswith("Envoyez LITS")
    assert replies["hello"].startswith("Commands: BEDS")
    assert snapshot(world.url, world.ours) == before and not world.audit()


def test_general_usage_in_french_when_the_chat_is_french() -> None:
    assert parse("bonjour", TODAY, "fr") == Usage("fr")


BAD_VALUES = [
    ("BEDS -3", "cmd_error_negative"), ("LITS 3/-40", "cmd_error_negative"),
    ("BEDS 41/40", "cmd_error_over"), ("BEDS 45", "cmd_error_over"),  # 40 in all, as stored
    ("BEDS 99999", "cmd_error_too_many"), ("CLOSED 31-02 TO 02-03 x", "cmd_error_date"),
    ("CLOSED 24-13 x", "cmd_error_date"), ("FERMÉ 10-12 AU 08-12 x", "cmd_error_order"),
    ("CLOSED 07-12 TO 09-12 x", "cmd_error_past"), ("CLOSED TODAY", "cmd_error_reason"),
    ("FERMÉ 24-12 AU 26-12", "cmd_error_reason"), ("CLOSED TODAY " + "x" * 81, "cmd_error_reason_long"),
    ("HOURS MO 25:00-17:00", "cmd_error_time"), ("HOURS MO 9-17", "cmd_error_time"),
    ("HEURES XY 9h-17h", "cmd_error_day"),
]


@pytest.mark.parametrize("text, key", BAD_VALUES)
def test_bad_values_are_named(text: str, key: str) -> None:
    parsed = parse(text, TODAY)
    if text == "BEDS 45":  # only the stored maximum says it is too many
        assert parsed == Beds("en", 45)
    else:
        assert isinstance(parsed, Invalid) and parsed.key == key


def test_bad_values_get_one_clear_line_and_change_nothing(world: World) -> None:
    before = snapshot(world.url, world.ours)
    replies = {text: world.run(world.desk, text).text for text, _ in BAD_VALUES}
    for reply in replies.values():
        assert one_sms(reply) and "UNDO" not in reply and "ANNULER" not in reply
    assert replies["BEDS 45"] == "45 free is more than the 40 in all."
    assert replies["FERMÉ 10-12 AU 08-12 x"] == "La fermeture finit (08-12) avant de commencer (10-12)."
    assert snapshot(world.url, world.ours) == before and not world.audit()


# ---------------------------------------------------------------- which service

@pytest.mark.parametrize("lang", LANGS)
def test_an_organization_with_several_services_is_asked_which(world: World, lang: str) -> None:
    asked = world.run(world.riverside, SAID[lang]["beds_of"])
    assert [c.name for c in asked.choices] == [f"Riverside Drop-in{' (fr)' * (lang == 'fr')}",
                                               f"Riverside Meals{' (fr)' * (lang == 'fr')}"]
    assert asked.pending == SAID[lang]["beds_of"] and one_sms(asked.text)
    assert "1 Riverside Drop-in" in asked.text and "2 Riverside Meals" in asked.text
    assert world.listing(world.meals).capacity is None  # nothing changed yet
    assert asked.pick("9") is None and asked.pick("two") is None
    done = world.run(world.riverside, asked.pending, service_id=asked.pick(" 2 "))
    assert not done.choices and world.listing(world.meals).capacity.available == 3
    assert world.listing(world.drop_in).capacity is None


def test_undo_needs_no_choice(world: World) -> None:
    asked = world.run(world.riverside, "BEDS 3/40")
    world.run(world.riverside, asked.pending, service_id=asked.pick("1"))
    assert world.run(world.riverside, "UNDO").text.startswith("Undone.")
    assert world.listing(world.drop_in).capacity is None


# ---------------------------------------------------------------- UNDO

@pytest.mark.parametrize("key", ["beds_of", "close_today", "close_range", "open", "two", "ok"])
@pytest.mark.parametrize("lang", LANGS)
def test_undo_within_ten_minutes_restores_exactly_and_is_audited(world: World, lang: str,
                                                                 key: str) -> None:
    if key == "open":  # closed by someone else first, with both languages' reasons
        with session_scope(world.url) as s:
            provider.close_temporarily(s, world.ours, "flood", world.night, reason_fr="inondation",
                                       since=TODAY, until=TODAY + timedelta(days=3))
    before = snapshot(world.url, world.ours)
    world.clock.at = NOW + timedelta(minutes=1)
    changed = world.run(world.desk, SAID[lang][key], lang=lang).text
    assert UNDO_HINT[lang] in changed and snapshot(world.url, world.ours) != before
    world.clock.at = NOW + timedelta(minutes=10)
    undone = world.run(world.desk, SAID[lang]["undo"]).text
    assert snapshot(world.url, world.ours) == before
    assert undone.startswith("Undone. " if lang == "en" else "Annulé. ") and one_sms(undone)
    last, change = world.audit()[-1], world.audit()[-2]
    assert (last.action, last.account_id) == ("undo", world.desk.account_id)
    assert json.loads(last.new_value)["undoes"] == change.id
    again = world.run(world.desk, SAID[lang]["undo"]).text  # does not reach older changes
    assert snapshot(world.url, world.ours) == before and len(world.audit()) == 2 + (key == "open")
    assert again.startswith("Already undone" if lang == "en" else "Déjà annulé")


@pytest.mark.parametrize("lang", LANGS)
def test_undo_after_ten_minutes_is_too_late(world: World, lang: str) -> None:
    world.run(world.desk, SAID[lang]["beds_of"])
    world.clock.at = NOW + timedelta(minutes=10, seconds=1)
    reply = world.run(world.desk, SAID[lang]["undo"]).text
    assert ("Too late" if lang == "en" else "Trop tard") in reply and one_sms(reply)
    assert world.listing().capacity.available == 3


def test_undo_by_another_account_does_not_undo_mine(world: World) -> None:
    world.run(world.desk, "BEDS 3/40")
    assert world.run(world.night, "UNDO").text.startswith("Nothing to undo")
    assert world.run(world.peer, "UNDO").text.startswith("Nothing to undo")
    assert world.listing().capacity.available == 3


def test_undo_refuses_when_someone_changed_the_service_since(world: World) -> None:
    world.run(world.desk, "BEDS 3/40")
    world.run(world.night, "BEDS 7")
    reply = world.run(world.desk, "UNDO").text
    assert reply.startswith("Cannot undo: Harbour House") and one_sms(reply)
    assert world.listing().capacity.available == 7
    assert world.run(world.night, "UNDO").text.startswith("Undone.")  # theirs is the newest
    assert world.listing().capacity.available == 3


def test_undo_restores_the_hours_rows_themselves(world: World) -> None:
    """The seasonal row (valid dates, notes) comes back too, not a look-alike."""
    before = snapshot(world.url, world.ours)
    world.run(world.desk, "HOURS DAILY 19:00-07:00")
    world.run(world.desk, "UNDO")
    assert snapshot(world.url, world.ours)[1] == before[1]
    assert any(row[-1] == "winter late opening" for row in before[1])


# ---------------------------------------------------------------- who may do what

def test_a_provider_acting_on_another_organizations_service_is_refused_and_audited(
        world: World) -> None:
    before = snapshot(world.url, world.theirs)
    reply = world.run(world.desk, "BEDS 1/10", service_id=world.theirs).text
    assert reply.startswith("Sorry") and one_sms(reply)
    assert snapshot(world.url, world.theirs) == before
    [entry] = world.audit()
    assert (entry.action, entry.account_id, entry.service_id) == (
        "refused beds", world.desk.account_id, world.theirs)
    assert world.run(world.desk, "FERMÉ AUJOURD'HUI x", service_id=world.theirs).text.startswith(
        "Désolé")


def test_a_peer_reads_status_but_changes_nothing(world: World) -> None:
    """Access lets peers read any listing: STATUS is a read of what clients see anyway,
    so an outreach worker can check a shelter before walking someone over. A peer has
    no services of its own, so it names the service (from a search)."""
    status = world.run(world.peer, "STATUS", service_id=world.ours).text
    assert status == world.run(world.desk, "STATUS").text
    assert world.run(world.peer, "ÉTAT", service_id=world.ours).text.startswith("Harbour House (fr)")
    assert world.run(world.peer, "STATUS").text.startswith("This account has no service")
    before = snapshot(world.url, world.ours)
    for text in ("BEDS 1", "CLOSED TODAY flood", "OK", "HOURS DAILY 07:00-21:00"):
        reply = world.run(world.peer, text, service_id=world.ours).text
        assert "STATUS" in reply and reply.startswith("Sorry")
    assert world.run(world.peer, "LITS 1").text.startswith("Désolé")  # no service named
    assert snapshot(world.url, world.ours) == before
    refused = [(e.action, e.account_id) for e in world.audit()]
    assert refused == [(f"refused {c}", world.peer.account_id)
                       for c in ("beds", "close", "confirm", "hours", "beds")]


def test_an_unknown_service_is_said_plainly(world: World) -> None:
    assert world.run(world.desk, "STATUS", service_id="no-such-id").text == (
        "That service is not in the directory.")


def test_the_echo_is_what_a_client_search_then_shows(world: World) -> None:
    """A client asking at the same moment gets the same state, beds and dates."""
    world.run(world.desk, "BEDS 12/40")
    world.run(world.desk, "CLOSED TODAY flood")
    status = world.run(world.desk, "STATUS").text
    client = world.listing().to_json("en")
    assert client["opening_state"].replace("now ", "") in status.replace("now ", "")
    assert client["capacity"]["available"] == 12 and "12 of 40 beds free (10:00)" in status
