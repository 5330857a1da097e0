"""The real servers, talked to through the REST channel, in English and French.

Starts ``rasa run actions`` and ``rasa run`` on free local ports with the trained
model (``make train``) and a demo directory, then holds real conversations.
The crisis replies are checked again with the action server stopped.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.servers import Servers

pytestmark = pytest.mark.model  # needs models/waypoint.tar.gz


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = Servers(tmp_path_factory.mktemp("servers"))
    try:
        yield running
    finally:
        running.stop()


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_english_conversation(servers: Servers) -> None:
    me = new_sender()
    assert "What do you need today" in servers.say(me, "hi")
    reply = servers.say(me, "I need somewhere to crash near the market")
    assert "1. " in reply and "verified" in reply
    more = servers.say(me, "more")
    assert "4. " in more


def test_french_conversation(servers: Servers) -> None:
    me = new_sender()
    assert "De quoi avez-vous besoin" in servers.say(me, "bonjour")
    reply = servers.say(me, "je cherche un refuge dans la basse ville")
    assert "1. " in reply and "vérifié" in reply


def test_language_sticks_through_short_replies_and_switches_on_a_real_message(
        servers: Servers) -> None:
    me = new_sender()
    assert "What do you need today" in servers.say(me, "hi")
    assert "You're welcome" in servers.say(me, "merci")
    assert "vérifié" in servers.say(me, "j'ai besoin d'un refuge dans la basse ville")
    assert "Avec plaisir" in servers.say(me, "thanks")
    assert "answer in English" in servers.say(me, "English please")


def test_a_french_conversation_stays_french_through_ok_thanks(servers: Servers) -> None:
    me = new_sender()
    assert "De quoi avez-vous besoin" in servers.say(me, "bonjour")
    assert "Avec plaisir" in servers.say(me, "ok thanks")
    assert "verified" in servers.say(me, "I need a shower near the market, thank you")


def test_missing_place_is_asked_once_and_anywhere_is_accepted(servers: Servers) -> None:
    me = new_sender()
    assert "Where are you" in servers.say(me, "where can I get a shower")
    assert "1. " in servers.say(me, "anywhere")


@pytest.mark.parametrize("text, must", [
    ("my friend is overdosing", ["911", "naloxone"]),
    ("il respire plus", ["911", "naloxone"]),
    ("I don't want to be alive anymore", ["9-8-8"]),
    ("je veux en finir", ["9-8-8"]),
])
def test_crisis_replies(servers: Servers, text: str, must: list[str]) -> None:
    reply = servers.say(new_sender(), text)
    assert all(m in reply for m in must), reply


@pytest.mark.parametrize("text", ["/restart", '/inform{"place":"x"}', "", "🙂🙂🙂", "a" * 10_000,
                                  "'; DROP TABLE service; --", "\x00\x1b[31m", "Привет мир"])
def test_strange_input_gets_a_polite_reply(servers: Servers, text: str) -> None:
    assert servers.say(new_sender(), text)


@pytest.mark.parametrize("text", ["/restart", '/inform{"place": "Atlantis"}', "/session_start"])
def test_slash_intents_from_a_person_do_nothing_to_the_conversation(servers: Servers,
                                                                    text: str) -> None:
    """Rasa would run /restart or set a slot from /inform{...}; here they are words."""
    me = new_sender()
    servers.say(me, "I need food near Vanier")
    servers.say(me, text)
    events = servers.api(f"/conversations/{me}/tracker", all_events=True)[1]["events"]
    assert not [e for e in events if e["event"] == "restart"]
    places = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "place"]
    assert "Atlantis" not in places and places[-1] == "Vanier"
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts[-1] == text.lstrip("/")


def test_bad_requests_are_400_not_500(servers: Servers) -> None:
    assert servers.post(None, raw=b"not json")[0] == 400
    assert servers.post({"message": "hi"})[0] == 400
    assert servers.post({"sender": "x" * 500, "message": "hi"})[0] == 400


# Every emergency reply, in each language, with words only that language's reply has.
CRISES_BY_LANGUAGE = [
    ("he's not breathing after he used", ["CALL 911", "naloxone"]),
    ("il respire plus il a pris de la dope", ["APPELEZ LE 911", "naloxone"]),
    ("I want to kill myself", ["Call or text 9-8-8"]),
    ("je veux me suicider", ["textez le 9-8-8"]),
    ("I keep cutting myself", ["Thank you for telling me", "9-8-8"]),
    ("je me mutile encore", ["Merci de me le dire", "9-8-8"]),
    ("someone is attacking me", ["CALL 911", "public place"]),
    ("quelqu'un m'attaque", ["APPELEZ LE 911", "lieu public"]),
    ("my husband beats me", ["1-866-863-0511", "If you are in danger now"]),
    ("mon mari me bat", ["1-800-363-9010", "En danger maintenant"]),
    ("they took my passport and won't let me leave", ["1-833-900-1010", "Hotline"]),
    ("ils ont pris mon passeport et je peux pas partir", ["1-833-900-1010", "Ligne d'urgence"]),
    ("I'm 15 and I ran away from home", ["1-800-668-6868", "Kids Help Phone"]),
    ("j'ai 15 ans et j'ai fugué", ["1-800-668-6868", "Jeunesse, J'écoute"]),
    ("my friend is having a seizure", ["CALL 911", "dispatcher"]),
    ("mon ami fait une crise d'épilepsie", ["APPELEZ LE 911", "répartiteur"]),
]


def test_every_crisis_reply_with_the_action_server_down(servers: Servers) -> None:
    servers.stop_actions()
    try:
        wrong = {}
        for text, must in CRISES_BY_LANGUAGE:
            reply = servers.say(new_sender(), text)
            if not all(m in reply for m in must):
                wrong[text] = reply[:120]
        assert wrong == {}
        started = time.monotonic()
        reply = servers.say(new_sender(), "I need a bed near the market")
        assert "2-1-1" in reply and "911" in reply and "9-8-8" in reply
        assert time.monotonic() - started < 5
    finally:
        servers.start_actions()


def test_a_stalled_action_server_still_gets_an_answer_within_5_seconds(servers: Servers) -> None:
    """The action server accepts the call and never answers: the person still gets the
    fallback in time, in their language, and a crisis still gets its reply."""
    servers.stop_actions()
    stalled = socket.create_server(("127.0.0.1", servers.actions_port))
    try:
        for text, must in [("I need a bed near the market", ["2-1-1", "911"]),
                           ("j'ai faim, je suis à Vanier", ["2-1-1", "911"]),
                           ("my friend is overdosing", ["CALL 911"])]:
            started = time.monotonic()
            reply = servers.say(new_sender(), text)
            assert time.monotonic() - started < 5, text
            assert all(m in reply for m in must), reply
    finally:
        stalled.close()
        servers.start_actions()


@pytest.mark.parametrize("text, category, place", [
    ("somewhere to crash near the market", "shelter", "ByWard Market"),
    ("je cherche des douches dans la côte de sable", "shower", "Sandy Hill"),
    ("suboxone sans rendez-vous près de K1N", "raam_clinic", "K1N"),
])
def test_model_parse_gives_canonical_codes_and_resolved_places(
        servers: Servers, text: str, category: str, place: str) -> None:
    status, parsed = servers.api("/model/parse", {"text": text})
    assert status == 200
    found = {(e["entity"], e["value"]) for e in parsed["entities"]}
    assert ("service_category", category) in found and ("place", place) in found


def test_http_api_needs_the_token(servers: Servers) -> None:
    assert servers.api("/model/parse", {"text": "hi"}, token=False)[0] == 401


def test_forget_me_deletes_the_conversation(servers: Servers) -> None:
    me = new_sender()
    servers.say(me, "I need food near Vanier")
    every = f"/conversations/{me}/tracker"
    assert len(servers.api(every, all_events=True)[1]["events"]) > 3
    assert "forgotten" in servers.say(me, "forget me")
    events = servers.api(every, all_events=True)[1]["events"]
    assert all(e["event"] != "user" for e in events), events


def test_messaging_channels_are_off_without_their_variables(servers: Servers) -> None:
    for channel in ("sms", "telegram"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{servers.rasa_port}/webhooks/{channel}/webhook", data=b"{}",
            headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 404
        assert "off" in json.load(answer.value)["error"]


def test_the_server_runs_the_retention_rule_itself(servers: Servers) -> None:
    """The default in-memory store lives in the Rasa process, so Rasa purges it."""
    assert "retention: deleted" in (servers.tmp / "rasa.log").read_text(encoding="utf-8")


# ---- what a "yes" accepts, and which needs a search answers (slots, not event walks)

def items_of(servers: Servers, sender: str, text: str) -> list[dict[str, object]]:
    status, messages = servers.post({"sender": sender, "message": text})
    assert status == 200 and isinstance(messages, list)
    return [item for m in messages for item in
            ((m.get("custom") or {}).get("waypoint") or {}).get("items", [])]


@pytest.mark.parametrize("crisis, yes, check", [
    ("my husband beats me", "yes", lambda i: i["confidential"]),
    ("mon chum me frappe", "oui", lambda i: i["confidential"]),
    ("I'm 15 and my dad kicked me out", "yes please", lambda i: "youth" in i["populations"]),
])
def test_yes_right_after_a_crisis_offer_gets_those_shelters(servers: Servers, crisis: str,
                                                           yes: str, check: object) -> None:
    me = new_sender()
    servers.say(me, crisis)
    items = items_of(servers, me, yes)
    assert items and all("shelter" in i["categories"] and check(i) for i in items)  # type: ignore[operator]


def test_a_crisis_offer_is_not_taken_by_a_later_yes(servers: Servers) -> None:
    me = new_sender()
    servers.say(me, "my husband beats me")
    assert "1. " in servers.say(me, "I need food near the market")
    later = items_of(servers, me, "yes")
    assert not later or not all("shelter" in i["categories"] for i in later)


@pytest.mark.parametrize("needs, place, yes", [
    ("nowhere to sleep and I haven't eaten", "Vanier", "yes"),
    ("pas de place où dormir et j'ai faim", "à Vanier", "oui"),
])
def test_needs_named_before_the_place_question_are_answered_in_order(
        servers: Servers, needs: str, place: str, yes: str) -> None:
    me = new_sender()
    servers.say(me, needs)
    shelters = items_of(servers, me, place)
    assert shelters and all("shelter" in i["categories"] for i in shelters)
    meals = items_of(servers, me, yes)
    assert meals and all("meals" in i["categories"] for i in meals)


@pytest.mark.parametrize("need, yes, ask", [
    ("I need food near the market", "yes", "What do you need"),
    ("j'ai besoin de manger dans la basse ville", "oui", "De quoi avez-vous besoin"),
])
def test_yes_to_the_next_step_asks_which_need(servers: Servers, need: str, yes: str,
                                              ask: str) -> None:
    me = new_sender()
    assert "1. " in servers.say(me, need)
    assert ask in servers.say(me, yes)
