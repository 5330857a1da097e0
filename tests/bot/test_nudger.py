"""Reminders to providers, end to end below Rasa: a chat linked through the provider
desk (its chat id sealed on the way in), a listing 31 days unconfirmed, one reminder
sent through a Bot API stand-in, and none again within the week. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import update

from bot.channels.providers import ProviderDesk
from bot.channels.state import MemoryState
from bot.nudger import Outbox, nudge_once, outbox_for
from directory import accounts
from directory.access import Actor
from directory.db import session_scope
from directory.freshness import Policy, local_now
from directory.models import Service
from settings import Settings
from tests.channels.telegram_api import TelegramApi
from tests.directory.builders import add_service

TOKEN, SECRET, HMAC = "123:abc", "s" * 20, "h" * 32
CHAT = 4242


@pytest.fixture
def api() -> Iterator[TelegramApi]:
    with TelegramApi(TOKEN) as running:
        yield running


def linked_provider(url: str, channel: str, reach: str, lang_command: str) -> str:
    with session_scope(url) as s:
        sid = add_service(s, "shelter", name="Harbour House")
        org = s.get(Service, sid).organization_id  # type: ignore[union-attr]
        made = accounts.create(s, Actor.operator("test"), "provider", "desk", org)
        s.execute(update(Service).where(Service.id == sid).values(
            last_verified_at=local_now() - timedelta(days=31)))
    desk = ProviderDesk(channel, url, MemoryState(), HMAC.encode())
    reply = asyncio.run(desk.answer("f" * 64, f"{lang_command} {made.link_code}", reach=reach))
    assert reply is not None and "Harbour House" not in reach
    return made.id


@pytest.mark.parametrize("command, expected", [("/link", "Reply OK"),
                                               ("/lier", "Repondez OK")])
def test_a_linked_telegram_provider_is_reminded_once_a_week(
        db_url: str, api: TelegramApi, command: str, expected: str) -> None:
    linked_provider(db_url, "telegram", str(CHAT), command)
    current = Settings(database_url=db_url, hmac_secret=HMAC.encode(), telegram_token=TOKEN,
                       telegram_secret=SECRET, telegram_api_url=api.url)
    outbox = outbox_for(current)
    assert asyncio.run(nudge_once(current, outbox)) == 1
    [sent] = api.calls_of("sendMessage", chat_id=CHAT)
    assert "Harbour House" in sent.params["text"] and expected in sent.params["text"]
    assert asyncio.run(nudge_once(current, outbox)) == 0  # within the week
    later = Policy(now=local_now() + timedelta(days=7, hours=1))
    assert asyncio.run(nudge_once(current, outbox, later)) == 1


class Twilio(BaseHTTPRequestHandler):
    posts: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        Twilio.posts.append(dict(parse_qsl(body)))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_an_sms_reminder_needs_the_rest_mode_and_goes_to_the_linked_number(
        db_url: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Twilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Twilio.posts = []
    try:
        linked_provider(db_url, "sms", "+16135550123|+16135550100", "LINK")
        base = dict(database_url=db_url, hmac_secret=HMAC.encode(), twilio_auth_token="t",
                    public_url="https://example.org")
        twiml = Settings(**base)  # type: ignore[arg-type]
        assert not outbox_for(twiml).can("sms")
        assert asyncio.run(nudge_once(twiml, outbox_for(twiml))) == 0  # not claimed either
        rest = Settings(**base, sms_reply="rest", twilio_account_sid="AC1",  # type: ignore[arg-type]
                        twilio_api_url=f"http://127.0.0.1:{server.server_port}")
        assert asyncio.run(nudge_once(rest, outbox_for(rest))) == 1
        [post] = Twilio.posts
        assert post["To"] == "+16135550123" and post["From"] == "+16135550100"
        assert "Harbour House" in post["Body"]
    finally:
        server.shutdown()


def test_nothing_is_sent_without_a_channel_that_can(db_url: str) -> None:
    linked_provider(db_url, "telegram", str(CHAT), "/link")
    current = Settings(database_url=db_url, hmac_secret=HMAC.encode())
    assert asyncio.run(nudge_once(current, Outbox(None, None))) == 0
