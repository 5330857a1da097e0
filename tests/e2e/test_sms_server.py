"""The SMS channel on the real servers, with requests signed by Twilio's own library.

Each request is form-encoded like Twilio's and signed with
``twilio.request_validator.RequestValidator`` for the public URL the server is
told it lives at (as behind a proxy). The TwiML answers are parsed and their
SMS segments counted. REST-mode replies go to a local stand-in for Twilio's
Messages API. Providers link their numbers by code and text their short commands.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.identity import sender_id
from conversation.listings import results_of
from conversation.sms import is_gsm7, sms_segments
from directory import accounts
from directory.access import Actor
from directory.db import session_scope
from directory.demo import demo_id
from directory.models import Service
from tests.e2e.servers import Servers, free_port

pytestmark = pytest.mark.model  # needs models/waypoint.tar.gz

AUTH_TOKEN = "test-auth-token-" + uuid.uuid4().hex
HMAC_SECRET = "test-hmac-secret-" + uuid.uuid4().hex
PUBLIC_URL = "https://waypoint.example.org"  # what Twilio calls; the proxy forwards to us
OUR_NUMBER = "+16135550100"


class TwilioApi:
    """A stand-in for Twilio's Messages API: records each message it is asked to send."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.auth: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
                outer.auth.append(self.headers.get("Authorization", ""))
                outer.sent.append({"path": self.path, **{k: v[0] for k, v in form.items()}})
                body = json.dumps({"sid": "SM" + uuid.uuid4().hex, "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, seconds: float = 15) -> list[dict[str, str]]:
        end = time.monotonic() + seconds
        while len(self.sent) < count and time.monotonic() < end:
            time.sleep(0.1)
        return self.sent

    def stop(self) -> None:
        self.server.shutdown()


class Phone:
    """One person's phone texting the bot through Twilio."""

    def __init__(self, servers: Servers, number: str | None = None) -> None:
        self.servers = servers
        self.number = number or f"+1613555{uuid.uuid4().int % 10000:04d}"

    def post(self, params: dict[str, str], signature: str | None = None,
             token: str = AUTH_TOKEN) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.servers.rasa_port}/webhooks/sms/webhook"
        if signature is None:
            signature = RequestValidator(token).compute_signature(
                f"{PUBLIC_URL}/webhooks/sms/webhook", params)
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(params).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8")

    def params(self, body: str, sid: str | None = None) -> dict[str, str]:
        return {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                "From": self.number, "To": OUR_NUMBER, "Body": body, "NumMedia": "0"}

    def text(self, body: str, sid: str | None = None) -> str:
        """Send an SMS; the reply's text (empty when the bot stays silent)."""
        status, twiml = self.post(self.params(body, sid))
        assert status == 200, twiml
        root = ET.fromstring(twiml)
        assert root.tag == "Response"
        messages = [m.text or "" for m in root.findall("Message")]
        assert len(messages) <= 1
        reply = messages[0] if messages else ""
        assert sms_segments(reply) <= 3, (reply, sms_segments(reply))
        return reply


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = Servers(tmp_path_factory.mktemp("sms"), env={
        "WAYPOINT_TWILIO_AUTH_TOKEN": AUTH_TOKEN, "WAYPOINT_PUBLIC_URL": PUBLIC_URL + "/",
        "WAYPOINT_HMAC_SECRET": HMAC_SECRET})
    try:
        yield running
    finally:
        running.stop()


def test_english_conversation_with_numbered_choices(servers: Servers) -> None:
    phone = Phone(servers)
    greeting = phone.text("hi")
    assert "What do you need today" in greeting
    assert re.search(r"Reply 1 a bed tonight, 2 food", greeting)
    asked = phone.text("1")  # the menu's first choice: a bed tonight
    assert "where" in asked.lower()
    results = phone.text("ByWard Market")
    assert results.count("\n- ") + results.startswith("- ") >= 1
    assert "verified" in results.lower()
    assert "Reply 1 more, 2 another area, 3 open now only." in results
    more = phone.text("1")
    assert more and more != results
    assert "where" in phone.text("2").lower()  # another area: asks for the place


def test_french_conversation_counts_segments(servers: Servers) -> None:
    phone = Phone(servers)
    greeting = phone.text("bonjour")
    assert "Répondez 1 un lit ce soir" in greeting or "Repondez 1 un lit ce soir" in greeting
    phone.text("j'ai besoin d'un repas")
    results = phone.text("Vanier")
    assert "vérifié" in results.lower() or "verifie" in results.lower()
    assert sms_segments(results) <= 3
    assert "1 plus" in results
    more = phone.text("1")
    assert more and more != results and ("vérifié" in more or "verifie" in more)
    asked = phone.text("2")
    assert asked.startswith(("Où", "Ou "))
    sid = "SM" + uuid.uuid4().hex
    again = phone.text("j'ai besoin d'une douche", sid=sid)
    assert again and phone.text("j'ai besoin d'une douche", sid=sid) == ""


def test_crisis_reply_comes_first_and_fits(servers: Servers) -> None:
    phone = Phone(servers)
    reply = phone.text("my friend is overdosing")
    assert reply.startswith("CALL 911")
    assert sms_segments(reply) <= 3
    assert "9-8-8" in Phone(servers).text("je veux mourir")


def test_carrier_keywords_in_both_languages(servers: Servers) -> None:
    phone = Phone(servers)
    for word, lang_word in (("HELP", "Urgent"), ("info", "Urgent"), ("AIDE", "Urgence")):
        reply = phone.text(word)
        assert lang_word in reply and "911" in reply and "9-8-8" in reply
        assert len(reply) <= 160 and is_gsm7(reply)
    stop = phone.text("ARRÊT")
    assert "START" in stop and "plus de messages" in stop and len(stop) <= 160
    assert phone.text("I need a bed near Vanier") == ""  # opted out: silence
    assert "911" in phone.text("I want to kill myself")  # but an emergency is answered
    back = phone.text("START")
    assert "Welcome back" in back and len(back) <= 160
    assert phone.text("I need a bed near Vanier")


def test_stop_deletes_the_conversation(servers: Servers) -> None:
    phone = Phone(servers)
    phone.text("I need food near Vanier")
    hashed = sender_id("sms", phone.number, HMAC_SECRET.encode())
    status, tracker = servers.api(f"/conversations/{hashed}/tracker")
    assert status == 200 and any(e.get("event") == "user" for e in tracker["events"])
    assert "plus de messages" not in phone.text("STOP")
    status, tracker = servers.api(f"/conversations/{hashed}/tracker")
    assert not any(e.get("event") == "user" for e in tracker["events"])
    phone.text("START")


def test_bad_or_missing_signature_is_refused_before_anything_is_kept(servers: Servers) -> None:
    phone = Phone(servers)
    params = phone.params("I need a bed near Vanier")
    assert phone.post(params, signature="")[0] == 403
    assert phone.post(params, signature="bm90IGEgc2lnbmF0dXJl")[0] == 403
    assert phone.post(params, token="wrong-token")[0] == 403
    tampered = dict(params, Body="something else")
    good = RequestValidator(AUTH_TOKEN).compute_signature(
        f"{PUBLIC_URL}/webhooks/sms/webhook", params)
    assert phone.post(tampered, signature=good)[0] == 403
    hashed = sender_id("sms", phone.number, HMAC_SECRET.encode())
    status, tracker = servers.api(f"/conversations/{hashed}/tracker")
    assert status == 200 and not any(e.get("event") == "user" for e in tracker["events"])


def test_repeated_message_sid_is_processed_once(servers: Servers) -> None:
    phone = Phone(servers)
    sid = "SM" + uuid.uuid4().hex
    assert phone.text("I need a shower near Vanier", sid=sid)
    assert phone.text("I need a shower near Vanier", sid=sid) == ""
    hashed = sender_id("sms", phone.number, HMAC_SECRET.encode())
    _, tracker = servers.api(f"/conversations/{hashed}/tracker")
    assert sum(e.get("event") == "user" for e in tracker["events"]) == 1


@pytest.mark.parametrize("body", ["", "/restart", '/inform{"place":"x"}', "😀" * 40, "a" * 5000,
                                  "'; DROP TABLE service; --", "\x00\x07bell"])
def test_strange_messages_get_a_polite_reply(servers: Servers, body: str) -> None:
    reply = Phone(servers).text(body)
    assert reply and sms_segments(reply) <= 3


def test_slow_down_when_over_the_rate_limit(servers: Servers) -> None:
    phone = Phone(servers)
    replies = [phone.text("hello") for _ in range(14)]
    assert any("answer again in a minute" in r for r in replies[-2:])
    assert "911" in phone.text("I took too much and can't breathe")


def test_no_raw_number_in_tracker_store_or_logs(servers: Servers, tmp_path: Path) -> None:
    phone = Phone(servers, number="+16135557777")
    phone.text("I need a bed near Vanier")
    phone.text("1")
    hashed = sender_id("sms", phone.number, HMAC_SECRET.encode())
    _, tracker = servers.api(f"/conversations/{hashed}/tracker", all_events=True)
    assert tracker["events"]
    digits = "6135557777"
    assert digits not in json.dumps(tracker)
    for log in ("rasa.log", "actions.log"):
        text = (servers.tmp / log).read_text(encoding="utf-8", errors="replace")
        assert digits not in text and AUTH_TOKEN not in text and HMAC_SECRET not in text


# ---- providers ------------------------------------------------------------------

def new_account(servers: Servers, name: str) -> accounts.NewAccount:
    with session_scope(servers.db) as s:
        return accounts.create(s, Actor.operator("e2e"), "provider", name,
                               demo_id("org", "harbour-house"))


def linked(servers: Servers, phone: Phone) -> str | None:
    with session_scope(servers.db) as s:
        actor = accounts.by_sender(s, "sms", sender_id("sms", phone.number, HMAC_SECRET.encode()))
        return None if actor is None else actor.name


def test_a_provider_links_in_french_sets_beds_and_a_client_search_shows_them(
        servers: Servers) -> None:
    made = new_account(servers, "veille de nuit")
    provider = Phone(servers)
    reply = provider.text(f"LIER {made.link_code.lower()}")
    assert reply.startswith("Lié au compte veille de nuit (Société Maison du Havre). Commandes")
    # Its hours first, so the shelter is open whenever this runs.
    for command, change in (("HEURES TLJ 0h-24h", "24 h sur 24"), ("LITS 3/40", "3 sur 40 lits libres")):
        asked = provider.text(command)
        assert re.match(r"Quel service\? R[ée]pondez par son num[ée]ro : 1 ", asked)
        number = re.search(r"(\d) Refuge de nuit Maison du Havre", asked)
        assert number
        done = provider.text(number.group(1))
        assert done.startswith("Refuge de nuit Maison du Havre : ") and change in done
        assert sms_segments(done) == 1
    client = Phone(servers)
    results = client.text("I need a bed near the ByWard Market")
    assert results.startswith("- Harbour House Night Shelter, open")
    hashed = sender_id("sms", client.number, HMAC_SECRET.encode())
    _, tracker = servers.api(f"/conversations/{hashed}/tracker")
    shown = [results_of(e.get("data") or {}) for e in tracker["events"] if e["event"] == "bot"]
    first = [r for r in shown if r][-1]["items"][0]
    assert (first["capacity"]["available"], first["capacity"]["maximum"]) == (3, 40)
    hashed = sender_id("sms", provider.number, HMAC_SECRET.encode())
    _, tracker = servers.api(f"/conversations/{hashed}/tracker", all_events=True)
    assert not any(e.get("event") == "user" for e in tracker["events"])
    for log in ("rasa.log", "actions.log"):
        assert made.link_code not in (servers.tmp / log).read_text(errors="replace")


def test_a_linked_number_still_talks_to_the_assistant_and_forget_me_unlinks(
        servers: Servers) -> None:
    phone = Phone(servers)
    assert "unknown, used or expired" in phone.text("LINK WRONG234")
    made = new_account(servers, "day desk")
    assert phone.text(f"LINK {made.link_code}").startswith(
        "Linked to day desk (Harbour House Society). Commands: BEDS 3/40")
    assert "where" in phone.text("I need a shower").lower()
    assert phone.text("CLOSED TODAY someone overdosed here").startswith("CALL 911")
    with session_scope(servers.db) as s:
        assert not s.query(Service).filter(
            Service.organization_id == demo_id("org", "harbour-house"),
            Service.closed_reason.isnot(None)).count()
    assert linked(servers, phone) == "day desk"
    phone.text("forget me")
    assert linked(servers, phone) is None
    assert "Which service" not in phone.text("BEDS 3/40")


def test_rest_reply_mode_acknowledges_then_sends_through_the_api(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    api = TwilioApi()
    running = Servers(tmp_path_factory.mktemp("sms-rest"), env={
        "WAYPOINT_TWILIO_AUTH_TOKEN": AUTH_TOKEN, "WAYPOINT_PUBLIC_URL": PUBLIC_URL,
        "WAYPOINT_HMAC_SECRET": HMAC_SECRET, "WAYPOINT_SMS_REPLY": "rest",
        "WAYPOINT_TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "WAYPOINT_TWILIO_API_URL": f"http://127.0.0.1:{api.port}"})
    try:
        phone = Phone(running)
        assert phone.text("I need a bed near Vanier") == ""  # acknowledged with empty TwiML
        assert phone.text("AIDE") == ""
        sent = api.wait_for(2)
        assert len(sent) == 2
        by_body = sorted(sent, key=lambda m: "Urgence" in m["Body"])
        assert "verified" in by_body[0]["Body"] and "Urgence" in by_body[1]["Body"]
        for message in sent:
            assert message["path"] == f"/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
            assert message["To"] == phone.number and message["From"] == OUR_NUMBER
            assert sms_segments(message["Body"]) <= 3
        assert all(a.startswith("Basic ") for a in api.auth)
    finally:
        running.stop()
        api.stop()


@pytest.mark.parametrize("body,first", [("my friend is overdosing", "CALL 911"),
                                        ("il respire plus", "APPELEZ LE 911"),
                                        ("je veux en finir", "9-8-8")])
def test_crisis_by_sms_with_the_action_server_down(servers: Servers, body: str, first: str) -> None:
    servers.stop_actions()
    try:
        reply = Phone(servers).text(body)
        assert first in reply and sms_segments(reply) <= 3
    finally:
        servers.start_actions()
