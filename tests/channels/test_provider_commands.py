"""Providers on Telegram and SMS: linking by code, short commands before Rasa, choosing
among services, the crisis net first, and "forget me" unlinking. On SQLite and PostgreSQL.

Both channels run in this process against a real directory database: Telegram posts
updates to the webhook and catches the replies at the stand-in Bot API; SMS signs
each request with Twilio's own validator and reads the TwiML. Rasa is a stand-in that
records what reaches it, so these tests can say exactly what never did (a link code).
The real assistant is in tests/e2e/test_telegram_server.py and test_sms_server.py.
"""

from __future__ import annotations

import asyncio
import html
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.channels import identity
from bot.channels.providers import PENDING
from bot.channels.sms import SmsInput
from bot.channels.state import CHOICES_SECONDS, MemoryState
from bot.channels.telegram import SECRET_HEADER, TelegramInput
from conversation.sms import sms_segments
from directory import accounts
from directory.access import Actor
from directory.db import session_scope
from directory.listing import details
from directory.models import Account, AccountLink, Service
from tests.channels.telegram_api import TelegramApi
from tests.directory.builders import add_service
from words import say

ADMIN = Actor.operator("test admin")
TOKEN = "123456:PROVIDER-token-not-real"
SECRET = "provider-webhook-secret"
HMAC = "hmac-secret-for-the-provider-tests"
TWILIO_TOKEN = "twilio-token-for-the-provider-tests"
PUBLIC_URL = "https://waypoint.example.org"
USER = 987654321099
NUMBER = "+16135550177"
LANGS = ["en", "fr"]
SAID = {"en": {"link": "LINK", "beds": "BEDS 3/40", "echo": "Harbour House: 3 of 40 beds free (",
               "undo": "Reply UNDO within 10 min"},
        "fr": {"link": "LIER", "beds": "LITS 3/40", "echo": "Harbour House (fr) : 3 sur 40 lits libres (",
               "undo": "Répondez ANNULER dans les 10 min"}}


# ---- the directory -----------------------------------------------------------

@dataclass
class World:
    url: str
    harbour: str   # Harbour House: its organization's one service
    drop_in: str   # Riverside's two services
    meals: str
    codes: dict[str, str]  # account name -> its one-time link code

    def beds(self, sid: str) -> tuple[int | None, int | None]:
        with session_scope(self.url) as s:
            capacity = details(s, sid).capacity
            return (None, None) if capacity is None else (capacity.available, capacity.maximum)

    def linked(self, channel: str, sender: str) -> str | None:
        with session_scope(self.url) as s:
            actor = accounts.by_sender(s, channel, sender)
            return None if actor is None else actor.name

    def links(self) -> list[tuple[str, str]]:
        with session_scope(self.url) as s:
            return [(r.channel, r.sender) for r in s.scalars(select(AccountLink))]


@pytest.fixture
def world(db_url: str) -> World:
    with session_scope(db_url) as s:
        harbour = add_service(s, "shelter", name="Harbour House", capacity=(5, 40))
        drop_in = add_service(s, "drop_in", name="Riverside Drop-in")
        meals = add_service(s, "meals", name="Riverside Meals")
        river_org = s.get(Service, drop_in).organization_id
        s.get(Service, meals).organization_id = river_org
        made = [accounts.create(s, ADMIN, "provider", "front desk",
                                s.get(Service, harbour).organization_id),
                accounts.create(s, ADMIN, "provider", "riverside", river_org),
                accounts.create(s, ADMIN, "peer", "outreach")]
    return World(db_url, harbour, drop_in, meals, {m.name: m.link_code for m in made})


# ---- a stand-in Rasa that can be asked to forget -------------------------------

class FakeRasa:
    """Records what reaches the assistant; "forget me" is stored as that intent, so the
    channel's own check (guard.forget_if_asked) finds it as it would in Rasa's store."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.store = InMemoryTrackerStore(Domain.empty())
        self.app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(
            tracker_store=self.store)))

    async def __call__(self, message: UserMessage) -> None:
        said = message.text or ""
        self.received.append(said)
        intent = "forget_me" if said == "forget me" else "other"
        tracker = DialogueStateTracker(message.sender_id, [])
        tracker.update(UserUttered(said, intent={"name": intent, "confidence": 1.0}))
        await self.store.save(tracker)
        await message.output_channel.send_response(
            message.sender_id, {"text": "Deleted." if intent == "forget_me" else "Assistant."})


# ---- Telegram, posted to the webhook -------------------------------------------

class Chat:
    """One Telegram chat with the channel; ``say`` returns the replies' texts, unescaped."""

    updates = iter(range(7_000_001, 8_000_000))

    def __init__(self, channel: TelegramInput, api: TelegramApi, rasa: FakeRasa,
                 user: int = USER) -> None:
        self.channel, self.api, self.rasa, self.user = channel, api, rasa, user
        self.sender = identity.sender_id("telegram", user, HMAC.encode())

    async def post(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.api.calls_of("sendMessage", self.user))
        request = SimpleNamespace(headers={SECRET_HEADER: SECRET}, app=self.rasa.app,
                                  json=update)
        assert self.channel.receive(request, self.rasa).status == 200
        await asyncio.gather(*list(self.channel._tasks))
        return [c.params for c in self.api.calls_of("sendMessage", self.user)[before:]]

    async def say(self, text: str) -> str:
        n = next(self.updates)
        sent = await self.post({"update_id": n, "message": {
            "message_id": n, "date": 1700000000, "text": text,
            "chat": {"id": self.user, "type": "private"},
            "from": {"id": self.user, "is_bot": False, "first_name": "A"}}})
        return "\n".join(html.unescape(p["text"]) for p in sent)  # as the chat shows it

    async def press(self, data: str) -> str:
        n = next(self.updates)
        sent = await self.post({"update_id": n, "callback_query": {
            "id": f"cb{n}", "chat_instance": "1", "data": data,
            "from": {"id": self.user, "is_bot": False, "first_name": "A"},
            "message": {"message_id": 1, "date": 1700000000, "text": "?",
                        "chat": {"id": self.user, "type": "private"}}}})
        return "\n".join(html.unescape(p["text"]) for p in sent)  # as the chat shows it

    def buttons(self) -> list[str]:
        markup = self.api.calls_of("sendMessage", self.user)[-1].params.get("reply_markup") or {}
        return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture
def api() -> Iterator[TelegramApi]:
    with TelegramApi(TOKEN) as running:
        yield running


@pytest.fixture
async def telegram(world: World, api: TelegramApi,
                   monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TelegramInput]:
    for name, value in (("WAYPOINT_TELEGRAM_TOKEN", TOKEN), ("WAYPOINT_TELEGRAM_SECRET", SECRET),
                        ("WAYPOINT_HMAC_SECRET", HMAC), ("WAYPOINT_TELEGRAM_API_URL", api.url),
                        ("WAYPOINT_DATABASE_URL", world.url)):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WAYPOINT_REDIS_HOST", raising=False)
    running = TelegramInput()
    assert running.configure()
    running.limiter.delay = lambda chat_id: 0.0  # type: ignore[method-assign]  # no pacing here
    yield running
    if running._bot is not None:
        await running._bot.shutdown()


# ---- SMS, signed as Twilio signs ------------------------------------------------

class Phone:
    """One phone texting the SMS channel; ``say`` returns the TwiML reply's text."""

    sids = iter(range(1, 1_000_000))

    def __init__(self, channel: SmsInput, rasa: FakeRasa, number: str = NUMBER) -> None:
        self.channel, self.rasa, self.number = channel, rasa, number
        self.sender = identity.sender_id("sms", number, HMAC.encode())

    async def say(self, body: str) -> str:
        params = {"MessageSid": f"SM{next(self.sids):032d}", "From": self.number,
                  "To": "+16135550100", "Body": body}
        path = "/webhooks/sms/webhook"
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + path, params)
        request = SimpleNamespace(
            headers={"content-type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": signature},
            body=urllib.parse.urlencode(params).encode("utf-8"), path=path, query_string="",
            app=self.rasa.app)
        assert self.channel.config is not None and SmsInput.signed(request, self.channel.config)
        answer = await self.channel.handle(request, self.rasa)
        reply = "".join(m.text or "" for m in ET.fromstring(answer.body).findall("Message"))
        assert sms_segments(reply) <= 3, reply
        return reply


@pytest.fixture
def sms(world: World, monkeypatch: pytest.MonkeyPatch) -> SmsInput:
    for name, value in (("WAYPOINT_TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                        ("WAYPOINT_PUBLIC_URL", PUBLIC_URL), ("WAYPOINT_HMAC_SECRET", HMAC),
                        ("WAYPOINT_DATABASE_URL", world.url)):
        monkeypatch.setenv(name, value)
    for name in ("WAYPOINT_REDIS_HOST", "WAYPOINT_SMS_REPLY"):
        monkeypatch.delenv(name, raising=False)
    running = SmsInput()
    assert running.configure()
    return running


class Person:
    """A chat or a phone, whichever channel the test runs on."""

    def __init__(self, kind: str, request: pytest.FixtureRequest, rasa: FakeRasa,
                 n: int = 0) -> None:
        self.kind, self.request, self.rasa = kind, request, rasa
        if kind == "telegram":
            self.on: Chat | Phone = Chat(request.getfixturevalue("telegram"),
                                         request.getfixturevalue("api"), rasa, USER + n)
        else:
            self.on = Phone(request.getfixturevalue("sms"), rasa, f"{NUMBER[:-2]}{77 + n}")
        self.sender = self.on.sender

    def other(self) -> Person:
        """Someone else on the same channel."""
        return Person(self.kind, self.request, self.rasa, n=1)

    async def say(self, text: str) -> str:
        return await self.on.say(text)

    def link_text(self, lang: str, code: str) -> str:
        keyword = SAID[lang]["link"]
        return f"/{keyword.lower()} {code}" if self.kind == "telegram" else f"{keyword} {code}"


@pytest.fixture(params=["telegram", "sms"])
def person(request: pytest.FixtureRequest) -> Person:
    return Person(request.param, request, FakeRasa())


# ---- linking ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
async def test_link_then_beds_are_answered_by_the_desk_and_never_reach_rasa(
        person: Person, world: World, lang: str) -> None:
    code = world.codes["front desk"]
    reply = await person.say(person.link_text(lang, code.lower()))
    assert reply == say("link_done", lang, account="front desk", organization="Harbour House org",
                        commands=say("cmd_usage", lang))
    assert world.linked(person.kind, person.sender) == "front desk"
    assert world.links() == [(person.kind, person.sender)]  # the keyed hash, never the id
    assert str(USER) not in person.sender and "6135550177" not in person.sender
    echo = await person.say(SAID[lang]["beds"])
    assert echo.startswith(SAID[lang]["echo"]) and SAID[lang]["undo"] in echo
    assert sms_segments(echo) == 1
    assert world.beds(world.harbour) == (3, 40)
    status = await person.say("STATUS" if lang == "en" else "ÉTAT")
    assert status.startswith(SAID[lang]["echo"].partition(":")[0].rstrip())
    assert person.rasa.received == []  # neither the code nor a command reached Rasa


async def test_a_bare_link_keyword_with_a_spaced_code_links_too(person: Person,
                                                                world: World) -> None:
    code = world.codes["riverside"]
    reply = await person.say(f"link {code[:4]} {code[4:]}")
    assert reply.startswith(say("link_done", "en", account="riverside",
                                organization="Riverside Drop-in org", commands="").rstrip())
    assert world.linked(person.kind, person.sender) == "riverside"


@pytest.mark.parametrize("lang", LANGS)
async def test_a_bad_used_or_expired_code_is_refused_clearly(
        person: Person, world: World, lang: str) -> None:
    assert await person.say(person.link_text(lang, "WRONG234")) == say("link_bad", lang)
    assert await person.say(f"/{SAID[lang]['link'].lower()}") == say("link_usage", lang)
    code = world.codes["front desk"]
    other = person.other()
    await other.say(other.link_text(lang, code))
    assert world.linked(person.kind, other.sender) == "front desk"
    assert await person.say(person.link_text(lang, code)) == say("link_bad", lang)  # used once
    with session_scope(world.url) as s:
        riverside = s.scalars(select(Account).where(Account.name == "riverside")).one()
        riverside.link_code_expires_at = datetime.now() - timedelta(days=2)
    assert await person.say(person.link_text(lang, world.codes["riverside"])) == say("link_bad", lang)
    assert world.linked(person.kind, person.sender) is None
    assert person.rasa.received == []


async def test_a_peer_account_links_and_is_told_what_it_is(person: Person, world: World) -> None:
    reply = await person.say(person.link_text("fr", world.codes["outreach"]))
    assert reply.startswith(say("link_done", "fr", account="outreach",
                                organization=say("link_scope_peer", "fr"), commands="").rstrip())


async def test_with_the_database_down_a_link_is_not_passed_on(person: Person, world: World) -> None:
    desk = person.on.channel.desk  # type: ignore[union-attr]
    desk.database_url = "postgresql://nobody@127.0.0.1:1/none"
    reply = await person.say(person.link_text("en", world.codes["front desk"]))
    assert reply == say("desk_unavailable", "en") and person.rasa.received == []


# ---- what goes to the assistant ------------------------------------------------------

@pytest.mark.parametrize("text", ["I need a shower", "j'ai besoin d'une douche", "open now",
                                  "ok thanks", "hours of the mission", "beds near Vanier",
                                  "link me to a shelter"])
async def test_a_linked_senders_ordinary_messages_still_reach_rasa(
        person: Person, world: World, text: str) -> None:
    await person.say(person.link_text("en", world.codes["front desk"]))
    assert await person.say(text) == "Assistant."
    assert person.rasa.received == [text]
    assert world.beds(world.harbour) == (5, 40)


async def test_an_unlinked_senders_command_goes_to_rasa(person: Person, world: World) -> None:
    assert await person.say("BEDS 3/40") == "Assistant."
    assert person.rasa.received == ["BEDS 3/40"] and world.beds(world.harbour) == (5, 40)


@pytest.mark.parametrize("text, key", [("BEDS", "cmd_usage_beds"), ("CLOSED TODAY", "cmd_error_reason"),
                                       ("LITS -2", "cmd_error_negative")])
async def test_a_linked_senders_misspelt_command_is_told_how_to_write_it(
        person: Person, world: World, text: str, key: str) -> None:
    await person.say(person.link_text("en", world.codes["front desk"]))
    assert await person.say(text) == say(key, "fr" if text.startswith("LITS") else "en")
    assert person.rasa.received == []


# ---- which service -----------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
async def test_an_organization_with_two_services_is_asked_which_by_number(
        person: Person, world: World, lang: str) -> None:
    await person.say(person.link_text(lang, world.codes["riverside"]))
    fr = " (fr)" if lang == "fr" else ""
    asked = await person.say(SAID[lang]["beds"])
    assert asked == say("cmd_choose", lang,
                        choices=f"1 Riverside Drop-in{fr}, 2 Riverside Meals{fr}")
    if person.kind == "telegram":
        assert person.on.buttons() == ["say:1", "say:2"]  # type: ignore[union-attr]
    assert await person.say("9") == asked  # not one of them: asked again
    done = await (person.on.press("say:2") if person.kind == "telegram"  # type: ignore[union-attr]
                  else person.say("2"))
    assert done.startswith(f"Riverside Meals{fr}") and SAID[lang]["undo"] in done
    assert world.beds(world.meals)[0] == 3 and world.beds(world.drop_in) == (None, None)
    assert await person.say("2") == "Assistant."  # the choice is used up
    assert person.rasa.received == ["2"]


async def test_a_pending_choice_is_dropped_when_the_conversation_moves_on(
        person: Person, world: World) -> None:
    await person.say(person.link_text("en", world.codes["riverside"]))
    await person.say("BEDS 3")
    assert await person.say("I need a shower") == "Assistant."
    assert await person.say("1") == "Assistant."
    assert world.beds(world.drop_in) == (None, None) and person.rasa.received[-1] == "1"


async def test_a_pending_choice_expires_like_the_others(person: Person, world: World) -> None:
    clock = [1000.0]
    channel = person.on.channel
    channel.state = MemoryState(clock=lambda: clock[0])  # type: ignore[union-attr]
    channel.desk.state = channel.state  # type: ignore[union-attr]
    await person.say(person.link_text("en", world.codes["riverside"]))
    await person.say("BEDS 3")
    assert channel.state.recall(person.sender, PENDING)  # type: ignore[union-attr]
    clock[0] += CHOICES_SECONDS + 1
    assert await person.say("1") == "Assistant."
    assert world.beds(world.drop_in) == (None, None)


# ---- the crisis net, and forgetting ----------------------------------------------------

@pytest.mark.parametrize("text", ["CLOSED TODAY someone overdosed here", "LITS 3 je veux mourir"])
async def test_a_crisis_from_a_linked_sender_goes_to_the_crisis_net_not_the_desk(
        person: Person, world: World, text: str) -> None:
    await person.say(person.link_text("en", world.codes["front desk"]))
    await person.say(text)
    assert person.rasa.received == [text]  # Rasa's crisis rules answer it
    assert world.beds(world.harbour) == (5, 40)
    with session_scope(world.url) as s:
        assert s.get(Service, world.harbour).closed_reason is None


@pytest.mark.parametrize("lang, first", [("en", "911"), ("fr", "9-8-8")])
async def test_a_crisis_in_a_link_message_gets_the_emergency_reply_and_no_link(
        person: Person, world: World, lang: str, first: str) -> None:
    said = "I want to kill myself" if lang == "en" else "je veux mourir"
    reply = await person.say(person.link_text(lang, world.codes["front desk"]) + " " + said)
    assert first in reply and person.rasa.received == []
    assert world.linked(person.kind, person.sender) is None


async def test_forget_me_removes_the_link(person: Person, world: World) -> None:
    await person.say(person.link_text("en", world.codes["front desk"]))
    assert await person.say("forget me") == "Deleted."
    assert world.linked(person.kind, person.sender) is None and world.links() == []
    assert await person.say("BEDS 3/40") == "Assistant."  # no longer a provider here
    assert world.beds(world.harbour) == (5, 40)


async def test_stop_by_sms_still_silences_a_linked_number(sms: SmsInput, world: World) -> None:
    phone = Phone(sms, FakeRasa())
    await phone.say(f"LINK {world.codes['front desk']}")
    assert "START" in await phone.say("STOP")
    assert await phone.say("BEDS 3/40") == ""
    assert world.beds(world.harbour) == (5, 40)
    assert "Welcome back" in await phone.say("START")
    assert (await phone.say("BEDS 3/40")).startswith(SAID["en"]["echo"])
