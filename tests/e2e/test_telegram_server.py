"""The real servers, talked to as Telegram would: updates posted to the webhook,
replies caught by a local stand-in for the Bot API.

Starts ``rasa run actions`` and ``rasa run`` (``bot.channels.telegram.TelegramInput``
in credentials.yml) with the Telegram variables pointing at the stand-in, holds
conversations in English and French, presses the result buttons, links providers'
chats and runs their short commands, and then checks that no raw Telegram id,
unrounded location or link code reached a tracker or a log.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.channels import identity
from conversation.listings import results_of
from directory import accounts
from directory.access import Actor
from directory.db import session_scope
from directory.demo import demo_id
from directory.models import Service
from tests.channels.telegram_api import Call, TelegramApi
from tests.e2e.servers import ROOT, Servers

pytestmark = pytest.mark.model  # needs models/waypoint.tar.gz

TOKEN = "424242:e2e-TOKEN-never-in-logs"
SECRET = "e2e-webhook-secret"
HMAC = "e2e-hmac-secret-0123456789"
# Distinctive raw ids, so that finding them anywhere means they leaked.
EN_USER, FR_USER, CRISIS_USER, POLL_USER = 987654321012, 987654321013, 987654321014, 987654321015
PROVIDER_USER, CLIENT_USER = 987654321016, 987654321017
SHELTER = "Harbour House Night Shelter"  # one of its organization's five services
LAT, LON = 45.4287123, -75.6891987  # near the ByWard Market; only 45.429,-75.689 may be kept
QUIET_SECONDS = 2.0
CREDENTIALS = ROOT / "credentials.yml"  # what tests.e2e.servers.Servers passes to Rasa

_update_ids = itertools.count(5_000_001)


@pytest.fixture(scope="module")
def api() -> Iterator[TelegramApi]:
    with TelegramApi(TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, api: TelegramApi) -> Iterator[Servers]:
    if "bot.channels.telegram.TelegramInput" not in CREDENTIALS.read_text(encoding="utf-8"):
        pytest.fail("add `bot.channels.telegram.TelegramInput: {}` to credentials.yml")
    running = Servers(tmp_path_factory.mktemp("telegram"), env={
        "WAYPOINT_TELEGRAM_TOKEN": TOKEN, "WAYPOINT_TELEGRAM_SECRET": SECRET,
        "WAYPOINT_HMAC_SECRET": HMAC, "WAYPOINT_TELEGRAM_API_URL": api.url})
    try:
        yield running
    finally:
        running.stop()


def webhook(servers: Servers) -> str:
    return f"http://127.0.0.1:{servers.rasa_port}/webhooks/telegram/webhook"


def post(servers: Servers, update: Any, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    data = update if isinstance(update, bytes) else json.dumps(update).encode("utf-8")
    request = urllib.request.Request(webhook(servers), data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def message(user: int, text: str | None = None, kind: str = "message",
            update_id: int | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": next(_update_ids), "date": int(time.time()),
                            "chat": {"id": user, "type": "private", "first_name": "T"},
                            "from": {"id": user, "is_bot": False, "first_name": "T"}, **extra}
    if text is not None:
        body["text"] = text
    return {"update_id": update_id or next(_update_ids), kind: body}


def press(user: int, data: str) -> dict[str, Any]:
    return {"update_id": next(_update_ids), "callback_query": {
        "id": str(next(_update_ids)), "chat_instance": "42", "data": data,
        "from": {"id": user, "is_bot": False, "first_name": "T"},
        "message": {"message_id": 1, "date": int(time.time()), "text": "…",
                    "chat": {"id": user, "type": "private", "first_name": "T"}}}}


def exchange(servers: Servers, api: TelegramApi, user: int, update: dict[str, Any],
             method: str = "sendMessage") -> list[Call]:
    """Post an update and return the bot's new calls of ``method`` to that chat."""
    before = len(api.calls_of(method, user))
    assert post(servers, update) == 200
    return api.wait_calls(method, user, before + 1, settle=1.0)[before:]


def texts(calls: list[Call]) -> str:
    return "\n".join(str(c.params.get("text", "")) for c in calls)


def buttons(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def sender(user: int) -> str:
    return identity.sender_id("telegram", user, HMAC.encode())


# ---- the webhook ------------------------------------------------------------

@pytest.mark.parametrize("secret", [None, "wrong", SECRET[:-1]])
def test_a_wrong_or_missing_secret_is_refused(servers: Servers, api: TelegramApi,
                                              secret: str | None) -> None:
    assert post(servers, message(CRISIS_USER, "my friend is overdosing"), secret=secret) == 403
    time.sleep(QUIET_SECONDS)
    assert not api.calls_of("sendMessage", CRISIS_USER)


def test_what_is_not_an_update_is_acknowledged_and_dropped(servers: Servers) -> None:
    assert post(servers, b"{not json") == 200
    assert post(servers, {"hello": "world"}) == 200


# ---- conversations ------------------------------------------------------------

def test_english_conversation_with_a_shared_location_and_the_buttons(
        servers: Servers, api: TelegramApi) -> None:
    (hello,) = exchange(servers, api, EN_USER, message(EN_USER, "/start"))
    assert "What do you need today" in hello.params["text"] and buttons(hello)
    assert all(b.startswith("say:") for b in buttons(hello))
    assert "Where are you" in texts(exchange(servers, api, EN_USER, message(EN_USER, "I need a bed")))
    found = exchange(servers, api, EN_USER,
                     message(EN_USER, location={"latitude": LAT, "longitude": LON}))
    results = next(c for c in found if "map:0" in buttons(c))
    assert "1. " in results.params["text"] and "verified" in results.params["text"]
    assert results.params["parse_mode"] == "HTML"
    assert {"more", "open_now", "area", "call:0"} <= set(buttons(results))
    more = next(c for c in exchange(servers, api, EN_USER, press(EN_USER, "more"))
                if "map:0" in buttons(c))
    assert "4. " in more.params["text"] and more.params["text"] != results.params["text"]
    (venue,) = exchange(servers, api, EN_USER, press(EN_USER, "map:0"), method="sendVenue")
    assert venue.params["title"] and float(venue.params["latitude"])
    call = next(b for b in buttons(more) if b.startswith("call:"))
    phone = texts(exchange(servers, api, EN_USER, press(EN_USER, call))).rpartition(": ")[2]
    assert "555" in phone and phone in more.params["text"]
    assert len(api.calls_of("answerCallbackQuery")) >= 3


def test_a_greeting_button_says_its_payload(servers: Servers, api: TelegramApi) -> None:
    user = EN_USER + 100
    (hello,) = exchange(servers, api, user, message(user, "/start"))
    reply = texts(exchange(servers, api, user, press(user, buttons(hello)[0])))
    assert "Where are you" in reply


def test_french_conversation(servers: Servers, api: TelegramApi) -> None:
    hello = texts(exchange(servers, api, FR_USER, message(FR_USER, "bonjour")))
    assert "De quoi avez-vous besoin" in hello
    reply = texts(exchange(servers, api, FR_USER,
                           message(FR_USER, "je cherche un refuge dans la basse ville")))
    assert "1. " in reply and "vérifié" in reply


def test_french_location_more_and_a_duplicate_delivery(servers: Servers, api: TelegramApi) -> None:
    user = FR_USER + 300
    assert "Où" in texts(exchange(servers, api, user, message(user, "j'ai faim")))
    found = exchange(servers, api, user, message(user, location={"latitude": LAT, "longitude": LON}))
    results = next(c for c in found if "more" in buttons(c))
    assert "vérifié" in results.params["text"] and "km" in results.params["text"]
    labels = [b["text"] for row in results.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "Plus" in labels and "Ouvert maintenant" in labels
    more = next(c for c in exchange(servers, api, user, press(user, "more")) if "more" in buttons(c))
    assert "4. " in more.params["text"]
    before = len(api.calls_of("sendMessage", user))
    twice = message(user, "merci")
    assert post(servers, twice) == 200 and post(servers, twice) == 200
    api.wait_calls("sendMessage", user, before + 1)
    time.sleep(QUIET_SECONDS)
    assert len(api.calls_of("sendMessage", user)) == before + 1


@pytest.mark.parametrize("text, first", [("my friend is overdosing", "911"),
                                         ("je veux mourir", "9-8-8")])
def test_crisis_replies_come_first(servers: Servers, api: TelegramApi, text: str, first: str) -> None:
    user = CRISIS_USER + len(text)
    replies = exchange(servers, api, user, message(user, text))
    assert first in replies[0].params["text"]


def test_a_sticker_is_answered_with_what_can_be_read(servers: Servers, api: TelegramApi) -> None:
    user = EN_USER + 200
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}
    assert "only read text" in texts(exchange(servers, api, user, message(user, sticker=sticker)))


def test_a_repeated_update_is_answered_once(servers: Servers, api: TelegramApi) -> None:
    user = EN_USER + 300
    update = message(user, "hi")
    assert post(servers, update) == 200 and post(servers, update) == 200
    api.wait_calls("sendMessage", user, 1)
    time.sleep(QUIET_SECONDS)
    assert len(api.calls_of("sendMessage", user)) == 1


def test_an_edited_message_gets_no_reply(servers: Servers, api: TelegramApi) -> None:
    user = EN_USER + 400
    assert post(servers, message(user, "I need food", kind="edited_message")) == 200
    time.sleep(QUIET_SECONDS)
    assert not api.calls_of(None, user)


def test_polling_forwards_updates_through_the_webhook(servers: Servers, api: TelegramApi) -> None:
    update = message(POLL_USER, "hi")
    api.queue_update(update)
    env = {**os.environ, "WAYPOINT_TELEGRAM_TOKEN": TOKEN, "WAYPOINT_TELEGRAM_SECRET": SECRET,
           "WAYPOINT_TELEGRAM_API_URL": api.url}
    poller = subprocess.Popen(
        [sys.executable, "-m", "bot.channels.telegram_cli", "poll", "--webhook", webhook(servers)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert "What do you need today" in texts(api.wait_calls("sendMessage", POLL_USER, 1))
        # The next poll confirms the update, so Telegram would not send it again.
        api.wait_calls("getUpdates", None, 2)
        assert int(api.calls_of("getUpdates")[-1].params["offset"]) == update["update_id"] + 1
    finally:
        poller.send_signal(signal.SIGINT)
        out = poller.communicate(timeout=15)[0].decode()
    assert api.calls_of("deleteWebhook")
    assert poller.returncode == 0 and "stopped" in out and TOKEN not in out


# ---- providers ------------------------------------------------------------------

def new_account(servers: Servers, name: str) -> accounts.NewAccount:
    with session_scope(servers.db) as s:
        return accounts.create(s, Actor.operator("e2e"), "provider", name,
                               demo_id("org", "harbour-house"))


def linked(servers: Servers, user: int) -> str | None:
    with session_scope(servers.db) as s:
        actor = accounts.by_sender(s, "telegram", sender(user))
        return None if actor is None else actor.name


def choose(asked: Call, name: str) -> str:
    """The callback data of the button naming ``name``."""
    rows = (asked.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row if name in b["text"])


def said(calls: list[Call]) -> str:
    return html.unescape(texts(calls))


def test_a_provider_links_sets_beds_and_a_client_search_shows_them(
        servers: Servers, api: TelegramApi) -> None:
    made = new_account(servers, "night desk")
    reply = said(exchange(servers, api, PROVIDER_USER,
                          message(PROVIDER_USER, f"/link {made.link_code}")))
    assert "night desk (Harbour House Society)" in reply and "BEDS 3/40" in reply
    assert linked(servers, PROVIDER_USER) == "night desk"
    # Its hours first, so the shelter is open whenever this runs.
    for command, change in (("HOURS DAILY 00:00-24:00", "24 hours"),
                            ("BEDS 3/40", "3 of 40 beds free")):
        (asked,) = exchange(servers, api, PROVIDER_USER, message(PROVIDER_USER, command))
        assert asked.params["text"].startswith("Which service? Reply with its number: 1 ")
        done = said(exchange(servers, api, PROVIDER_USER,
                             press(PROVIDER_USER, choose(asked, SHELTER))))
        assert done.startswith(f"{SHELTER}: ") and change in done and "UNDO" in done
    found = exchange(servers, api, CLIENT_USER,
                     message(CLIENT_USER, "I need a bed near the ByWard Market"))
    card = next(c for c in found if "map:0" in buttons(c))
    assert card.params["text"].startswith(f"<b>1. {SHELTER}</b>")
    _, tracker = servers.api(f"/conversations/{sender(CLIENT_USER)}/tracker")
    shown = [results_of(e.get("data") or {}) for e in tracker["events"] if e["event"] == "bot"]
    first = [r for r in shown if r][-1]["items"][0]
    assert first["name"] == SHELTER
    assert (first["capacity"]["available"], first["capacity"]["maximum"]) == (3, 40)
    # Neither the code nor a command went to the assistant.
    _, tracker = servers.api(f"/conversations/{sender(PROVIDER_USER)}/tracker", all_events=True)
    assert not any(e["event"] == "user" for e in tracker["events"])
    logs = "".join((servers.tmp / name).read_text(errors="replace")
                   for name in ("rasa.log", "actions.log"))
    assert made.link_code not in logs and made.link_code not in json.dumps(tracker)


def test_a_linked_chat_still_talks_to_the_assistant_and_forget_me_unlinks(
        servers: Servers, api: TelegramApi) -> None:
    user = PROVIDER_USER + 100
    assert "inconnu, déjà utilisé ou expiré" in said(
        exchange(servers, api, user, message(user, "/lier WRONG234")))
    made = new_account(servers, "day desk")
    reply = said(exchange(servers, api, user, message(user, f"/lier {made.link_code}")))
    assert reply.startswith("Lié au compte day desk (Société Maison du Havre). Commandes : LITS")
    assert "Where are you" in texts(exchange(servers, api, user, message(user, "I need a shower")))
    emergency = exchange(servers, api, user, message(user, "CLOSED TODAY someone overdosed here"))
    assert "911" in emergency[0].params["text"]
    with session_scope(servers.db) as s:
        assert not s.query(Service).filter(
            Service.organization_id == demo_id("org", "harbour-house"),
            Service.closed_reason.isnot(None)).count()
    assert linked(servers, user) == "day desk"
    exchange(servers, api, user, message(user, "forget me"))
    assert linked(servers, user) is None
    assert "Which service" not in texts(exchange(servers, api, user, message(user, "BEDS 3/40")))


# ---- privacy ------------------------------------------------------------------

def test_no_raw_id_or_unrounded_location_is_kept(servers: Servers, api: TelegramApi) -> None:
    """Runs after the conversations above (module order) and looks for their traces."""
    status, tracker = servers.api(f"/conversations/{sender(EN_USER)}/tracker", all_events=True)
    assert status == 200 and tracker["sender_id"] == sender(EN_USER)
    stored = json.dumps(tracker)
    assert any(e["event"] == "user" for e in tracker["events"])
    assert "45.429,-75.689" in stored
    logs = "".join((servers.tmp / name).read_text(errors="replace")
                   for name in ("rasa.log", "actions.log"))
    for secret in (str(EN_USER), str(FR_USER), str(POLL_USER), str(LAT), str(LON)[1:], "4287123",
                   TOKEN, SECRET):
        assert secret not in stored, secret
        assert secret not in logs, secret


@pytest.mark.parametrize("text, first", [("he's not breathing", "911"),
                                         ("je veux en finir", "9-8-8")])
def test_crisis_replies_with_the_action_server_down(servers: Servers, api: TelegramApi,
                                                    text: str, first: str) -> None:
    user = CRISIS_USER + 500 + len(text)
    servers.stop_actions()
    try:
        replies = exchange(servers, api, user, message(user, text))
        assert first in replies[0].params["text"]
    finally:
        servers.start_actions()
