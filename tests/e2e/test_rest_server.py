"""The real servers, talked to through the REST channel, in English and French.

Starts ``rasa run actions`` and ``rasa run`` on free local ports with the trained
model (``make train``) and a demo directory, then holds real conversations.
The crisis replies are checked again with the action server stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from directory.db import session_scope, upgrade
from directory.demo import load_demo

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "waypoint.tar.gz"
RASA = Path(sys.executable).with_name("rasa")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 180) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in {seconds} s")


class Servers:
    def __init__(self, tmp: Path, stores: str = "", env: dict[str, str] | None = None) -> None:
        if not MODEL.exists():
            pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
        self.tmp = tmp
        self.db = f"sqlite:///{tmp / 'demo.db'}"
        upgrade(self.db)
        with session_scope(self.db) as s:
            load_demo(s)
        self.actions_port, self.rasa_port = free_port(), free_port()
        endpoints = tmp / "endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
                             "  timeout: 3\n" + stores, encoding="utf-8")
        self.env = {**os.environ, "WAYPOINT_DATABASE_URL": self.db,
                    "WAYPOINT_ENDPOINTS": str(endpoints), **(env or {})}
        self.actions: subprocess.Popen[bytes] | None = None
        self.start_actions()
        self.token = uuid.uuid4().hex
        self.rasa = subprocess.Popen(
            [str(RASA), "run", "-m", str(MODEL), "-i", "127.0.0.1", "-p", str(self.rasa_port),
             "--credentials", str(ROOT / "credentials.yml"), "--endpoints", str(endpoints),
             "--enable-api", "--auth-token", self.token],
            cwd=ROOT, env=self.env, stdout=open(tmp / "rasa.log", "wb"), stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/")

    def start_actions(self) -> None:
        self.actions = subprocess.Popen(
            [str(RASA), "run", "actions", "--actions", "actions", "-p", str(self.actions_port)],
            cwd=ROOT, env=self.env, stdout=open(self.tmp / "actions.log", "ab"),
            stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{self.actions_port}/health")

    def stop_actions(self) -> None:
        if self.actions is not None:
            self.actions.send_signal(signal.SIGTERM)
            self.actions.wait(timeout=30)
            self.actions = None

    def stop(self) -> None:
        self.stop_actions()
        self.rasa.send_signal(signal.SIGTERM)
        self.rasa.wait(timeout=30)

    def post(self, payload: object, raw: bytes | None = None) -> tuple[int, object]:
        data = raw if raw is not None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook", data=data,
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=20) as reply:
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as err:
            return err.code, json.load(err)

    def api(self, path: str, payload: object | None = None, token: bool = True,
            all_events: bool = False) -> tuple[int, Any]:
        query = f"?token={self.token}" if token else ""
        if all_events:
            query += "&include_events=ALL"
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(f"http://127.0.0.1:{self.rasa_port}{path}{query}",
                                         data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=20) as reply:
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as err:
            return err.code, None

    def say(self, sender: str, text: str) -> str:
        status, messages = self.post({"sender": sender, "message": text})
        assert status == 200, messages
        assert isinstance(messages, list) and messages, f"no reply to {text!r}"
        return "\n".join(m.get("text") or "" for m in messages)


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


def test_bad_requests_are_400_not_500(servers: Servers) -> None:
    assert servers.post(None, raw=b"not json")[0] == 400
    assert servers.post({"message": "hi"})[0] == 400
    assert servers.post({"sender": "x" * 500, "message": "hi"})[0] == 400


def test_with_the_action_server_down(servers: Servers) -> None:
    servers.stop_actions()
    try:
        started = time.monotonic()
        assert "911" in servers.say(new_sender(), "he's not breathing")
        assert "9-8-8" in servers.say(new_sender(), "je veux mourir")
        reply = servers.say(new_sender(), "I need a bed near the market")
        assert "2-1-1" in reply
        assert time.monotonic() - started < 20
    finally:
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
