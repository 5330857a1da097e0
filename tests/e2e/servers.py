"""The real servers on free local ports: the action server and Rasa with the trained model.

Shared by the end-to-end tests of every channel. ``env`` adds variables to both
processes (channel secrets, for instance); each server's output goes to a log in
the test's temporary folder, which the privacy tests read.
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
        self.env = {**os.environ, "SANIC_HOST": "127.0.0.1", "WAYPOINT_DATABASE_URL": self.db,
                    **(env or {})}
        self.actions: subprocess.Popen[bytes] | None = None
        self.start_actions()
        self.token = uuid.uuid4().hex
        self.rasa = subprocess.Popen(
            [sys.executable, "-m", "bot.server", "run", "-m", str(MODEL), "-i", "127.0.0.1",
             "-p", str(self.rasa_port),
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
