"""The Telegram channel's handling of updates, with a stand-in Rasa and a stand-in Bot API.

Rasa is replaced by a function that answers like the assistant would (text,
buttons, a results payload), so these tests are about the channel alone: the
secret, duplicates, what is ignored, buttons, limits and errors. The real
assistant is in tests/e2e/test_telegram_server.py.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels import identity, telegram_cli
from bot.channels.state import MemoryState
from bot.channels.telegram import OFF, SECRET_HEADER, SendLimiter, TelegramInput
from safety.replies import say as channel_text
from tests.channels.telegram_api import TelegramApi

TOKEN = "123456:TEST-token-not-real"
SECRET = "webhook-secret-for-tests"
HMAC = "hmac-secret-for-the-telegram-tests"
USER = 987654321012
ITEMS = [
    {"name": "Northstar House", "opening_state": "open 24/7", "distance_km": 0.8,
     "where": "312 Lisgar St, Ottawa", "phone": "613-555-0123", "verified": "verified Oct 18",
     "lat": 45.4201, "lon": -75.6952},
    {"name": "Safe Haven", "opening_state": "open until 9 am", "distance_km": None,
     "where": "confidential address (Vanier)", "phone": "613-555-0199", "verified": "verified Oct 2",
     "lat": None, "lon": None, "confidential": True},
]


@pytest.fixture
def api() -> Iterator[TelegramApi]:
    with TelegramApi(TOKEN) as running:
        yield running


@pytest.fixture
def env(api: TelegramApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("WAYPOINT_TELEGRAM_SECRET", SECRET)
    monkeypatch.setenv("WAYPOINT_HMAC_SECRET", HMAC)
    monkeypatch.setenv("WAYPOINT_TELEGRAM_API_URL", api.url)
    monkeypatch.delenv("WAYPOINT_REDIS_HOST", raising=False)


class FakeRasa:
    """Answers like the assistant: results after a place, buttons after hello."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        out = message.output_channel
        said = message.text or ""
        if said == "hello":
            await out.send_response(message.sender_id, {"text": "Hi, this is Waypoint.", "buttons": [
                {"title": "A bed", "payload": "I need a bed"}]})
        elif said.startswith("/inform_place") or said == "/more_results":
            await out.send_response(message.sender_id, {"custom": {"waypoint": {
                "type": "results", "lang": "en", "items": ITEMS}}})
        elif said == "long":
            await out.send_response(message.sender_id, {"text": "\n".join(["x" * 99] * 120)})
        else:
            await out.send_response(message.sender_id, {"text": f"You said {len(said)} characters."})


@pytest.fixture
async def channel(env: None) -> AsyncIterator[TelegramInput]:
    running = TelegramInput()
    assert running.configure()
    running.limiter.delay = lambda chat_id: 0.0  # type: ignore[method-assign]  # no pacing here
    yield running
    if running._bot is not None:
        await running._bot.shutdown()


def message_update(update_id: int, text: str | None = "hi", chat_type: str = "private",
                   kind: str = "message", **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": update_id, "date": 1700000000,
                               "chat": {"id": USER, "type": chat_type},
                               "from": {"id": USER, "is_bot": False, "first_name": "A"}, **extra}
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, kind: message}


def button_update(update_id: int, data: str) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": f"cb{update_id}", "chat_instance": "1", "data": data,
        "from": {"id": USER, "is_bot": False, "first_name": "A"},
        "message": {"message_id": 1, "date": 1700000000, "text": "results",
                    "chat": {"id": USER, "type": "private"}}}}


def request(body: Any, secret: str | None = SECRET) -> SimpleNamespace:
    """What the webhook reads of a sanic request."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return SimpleNamespace(headers=headers, app=None, json=body)


async def deliver(channel: TelegramInput, rasa: FakeRasa, *updates: dict[str, Any]) -> list[int]:
    """Post updates to the webhook as Telegram would; wait for their background turns."""
    statuses = []
    for update in updates:
        statuses.append(channel.receive(request(update), rasa).status)
        await asyncio.gather(*list(channel._tasks))
    return statuses


def sent_texts(api: TelegramApi) -> list[str]:
    return [c.params["text"] for c in api.calls_of("sendMessage")]


# ---- the webhook ----------------------------------------------------------

async def test_a_text_reaches_rasa_under_the_hashed_id_and_the_reply_is_html(
        channel: TelegramInput, api: TelegramApi) -> None:
    rasa = FakeRasa()
    assert await deliver(channel, rasa, message_update(1, "/start")) == [200]
    assert [m.text for m in rasa.received] == ["hello"]
    sender = rasa.received[0].sender_id
    assert sender == identity.sender_id("telegram", USER, HMAC.encode()) and str(USER) not in sender
    assert rasa.received[0].input_channel == "telegram"
    (call,) = api.calls_of("sendMessage", chat_id=USER)
    assert call.params["parse_mode"] == "HTML" and call.params["text"] == "Hi, this is Waypoint."
    button = call.params["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "A bed", "callback_data": "say:I need a bed"}
    assert [c.method for c in api.calls_of()][0] == "getMe"  # initialised once, lazily


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_a_wrong_or_missing_secret_is_403_and_nothing_happens(
        channel: TelegramInput, api: TelegramApi, secret: str | None) -> None:
    reply = channel.receive(request(message_update(2), secret=secret), FakeRasa())
    assert reply.status == 403
    assert not channel._tasks and not api.calls_of()


@pytest.mark.parametrize("body", [None, [], "text", {"message": {}}, {"update_id": "7"}])
async def test_what_is_not_an_update_gets_200_and_nothing_is_done(
        channel: TelegramInput, api: TelegramApi, body: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    assert channel.receive(request(body), FakeRasa()).status == 200
    assert not channel._tasks and not api.calls_of()
    assert "not a Telegram update" in caplog.text


async def test_bad_json_gets_200(channel: TelegramInput, api: TelegramApi) -> None:
    class BadJson:
        headers = {SECRET_HEADER: SECRET}
        app = None

        @property
        def json(self) -> Any:
            raise ValueError("not JSON")

    assert channel.receive(BadJson(), FakeRasa()).status == 200
    assert not channel._tasks and not api.calls_of()


async def test_without_its_variables_the_channel_is_off_and_says_which(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    for name in ("WAYPOINT_TELEGRAM_TOKEN", "WAYPOINT_TELEGRAM_SECRET", "WAYPOINT_HMAC_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WAYPOINT_TELEGRAM_TOKEN", TOKEN)
    caplog.set_level(logging.INFO)
    channel = TelegramInput()
    assert not channel.configure()
    assert "set WAYPOINT_TELEGRAM_SECRET, WAYPOINT_HMAC_SECRET" in caplog.text
    reply = channel.receive(request(message_update(3)), FakeRasa())
    assert reply.status == 404 and json.loads(reply.body) == OFF


# ---- what is answered, what is ignored --------------------------------------

async def test_a_repeated_update_is_answered_once(channel: TelegramInput, api: TelegramApi) -> None:
    rasa = FakeRasa()
    await deliver(channel, rasa, message_update(10, "hi"), message_update(10, "hi"))
    assert len(rasa.received) == 1 and len(api.calls_of("sendMessage")) == 1


@pytest.mark.parametrize("update", [
    message_update(20, "hi", kind="edited_message"),
    message_update(21, "hi", chat_type="group"),
    message_update(22, "hi", chat_type="supergroup"),
    message_update(23, "news", chat_type="channel", kind="channel_post"),
    {"update_id": 24, "poll": {"id": "1", "question": "?", "options": [], "total_voter_count": 0,
                               "is_closed": False, "is_anonymous": True, "type": "regular",
                               "allows_multiple_answers": False}},
])
async def test_edits_groups_and_channel_posts_are_ignored(
        channel: TelegramInput, api: TelegramApi, update: dict[str, Any]) -> None:
    rasa = FakeRasa()
    assert await deliver(channel, rasa, update) == [200]
    assert not rasa.received and not api.calls_of("sendMessage")


async def test_a_sticker_gets_the_unsupported_reply(channel: TelegramInput, api: TelegramApi) -> None:
    rasa = FakeRasa()
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}
    await deliver(channel, rasa, message_update(30, None, sticker=sticker))
    assert not rasa.received
    assert sent_texts(api) == [channel_text("unsupported", "en")]


async def test_a_shared_location_is_searched_around_rounded(
        channel: TelegramInput, api: TelegramApi) -> None:
    rasa = FakeRasa()
    location = {"latitude": 45.4287123, "longitude": -75.6891987}
    await deliver(channel, rasa, message_update(40, None, location=location))
    assert [m.text for m in rasa.received] == ['/inform_place{"place": "45.429,-75.689"}']
    (call,) = api.calls_of("sendMessage")
    assert "Northstar House" in call.params["text"] and "verified Oct 18" in call.params["text"]
    rows = call.params["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in rows for b in row] == [
        "map:0", "call:0", "call:1", "more", "open_now", "area"]


# ---- buttons -------------------------------------------------------------

async def test_buttons_act_on_the_listings_shown(channel: TelegramInput, api: TelegramApi) -> None:
    rasa = FakeRasa()
    location = {"latitude": 45.4287, "longitude": -75.6892}
    await deliver(channel, rasa, message_update(50, None, location=location),
                  button_update(51, "map:0"), button_update(52, "call:1"),
                  button_update(53, "more"), button_update(54, "say:I need a bed"),
                  button_update(55, "area"))
    assert len(api.calls_of("answerCallbackQuery")) == 5
    (venue,) = api.calls_of("sendVenue", chat_id=USER)
    assert venue.params["title"] == "Northstar House"
    assert float(venue.params["latitude"]) == 45.4201 and venue.params["address"] == ITEMS[0]["where"]
    assert channel_text("call_number", "en", name="Safe Haven", phone="613-555-0199") in sent_texts(api)
    assert [m.text for m in rasa.received][1:] == ["/more_results", "I need a bed"]
    ask = api.calls_of("sendMessage")[-1].params
    assert ask["text"] == channel_text("ask_place_telegram", "en")
    assert ask["reply_markup"]["one_time_keyboard"] is True
    assert ask["reply_markup"]["keyboard"] == [[{"text": channel_text("button_share_location", "en"),
                                                 "request_location": True}]]


@pytest.mark.parametrize("data", ["/restart", "map:9", "call:-1", "map:x", "more:1", "say:", "",
                                  "open_now_all", "map:1"])
async def test_forged_or_stale_button_data_is_refused_politely(
        channel: TelegramInput, api: TelegramApi, data: str) -> None:
    rasa = FakeRasa()
    await deliver(channel, rasa, message_update(60, None, location={"latitude": 45.4,
                                                                   "longitude": -75.7}))
    await deliver(channel, rasa, button_update(61, data))
    assert len(rasa.received) == 1 and not api.calls_of("sendVenue")
    assert sent_texts(api)[-1] == channel_text("choice_expired", "en")


async def test_a_confidential_listing_has_no_map_pin(channel: TelegramInput, api: TelegramApi) -> None:
    channel.state.remember(identity.sender_id("telegram", USER, HMAC.encode()), "results",  # type: ignore[union-attr]
                           {"lang": "fr", "items": [{**ITEMS[0], "confidential": True}]})
    await deliver(channel, FakeRasa(), button_update(70, "map:0"))
    assert not api.calls_of("sendVenue")
    assert sent_texts(api) == [channel_text("choice_expired", "fr")]


# ---- limits and failures ---------------------------------------------------

async def test_long_replies_are_split_within_telegrams_limit(
        channel: TelegramInput, api: TelegramApi) -> None:
    await deliver(channel, FakeRasa(), message_update(80, "long"))
    texts = sent_texts(api)
    assert len(texts) > 1 and all(len(t) <= 4096 for t in texts)
    assert sum(t.count("x") for t in texts) == 99 * 120


async def test_over_the_rate_limit_the_sender_is_asked_to_slow_down(
        channel: TelegramInput, api: TelegramApi) -> None:
    channel.state = MemoryState(limit=1)
    rasa = FakeRasa()
    await deliver(channel, rasa, message_update(90, "hi"), message_update(91, "hi again"))
    assert len(rasa.received) == 1
    assert sent_texts(api)[-1] == html.escape(channel_text("slow_down", "en"))


async def test_retry_after_is_waited_out_and_retried_once(
        channel: TelegramInput, api: TelegramApi) -> None:
    api.fail_next("sendMessage", retry_after=1)
    await deliver(channel, FakeRasa(), message_update(100, "hi"))
    assert len(api.calls_of("sendMessage")) == 2


async def test_a_failed_send_is_logged_by_class_and_the_next_message_still_goes(
        channel: TelegramInput, api: TelegramApi, caplog: pytest.LogCaptureFixture) -> None:
    api.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    await deliver(channel, FakeRasa(), message_update(110, "secret words"),
                  message_update(111, "hi"))
    assert len(api.calls_of("sendMessage")) == 2
    assert "sending to Telegram failed (BadRequest)" in caplog.text
    assert "secret words" not in caplog.text and str(USER) not in caplog.text


async def test_an_unreachable_bot_api_breaks_nothing(
        channel: TelegramInput, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(channel, "settings", channel.settings.__class__(  # type: ignore[union-attr]
        TOKEN, SECRET, HMAC.encode(), "http://127.0.0.1:9"))
    await deliver(channel, FakeRasa(), message_update(120, "hi"))
    assert "Telegram update failed (NetworkError)" in caplog.text


def test_the_send_limiter_allows_a_burst_then_one_a_second_per_chat() -> None:
    now = [0.0]
    limiter = SendLimiter(clock=lambda: now[0])
    assert [limiter.delay(1) for _ in range(4)] == [0.0] * 4
    assert limiter.delay(1) == pytest.approx(1.0)
    assert limiter.delay(2) == 0.0  # another chat is not held up
    now[0] = 10.0
    assert limiter.delay(1) == 0.0


def test_the_send_limiter_keeps_to_30_a_second_overall() -> None:
    limiter = SendLimiter(clock=lambda: 0.0)
    delays = [limiter.delay(chat) for chat in range(31)]
    assert delays[:30] == [0.0] * 30 and delays[30] == pytest.approx(1 / 30)


# ---- the command line --------------------------------------------------------

def test_set_webhook_registers_the_url_with_the_secret(
        env: None, api: TelegramApi, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WAYPOINT_PUBLIC_URL", "https://waypoint.example.org/")
    assert telegram_cli.main(["set-webhook"]) == 0
    (call,) = api.calls_of("setWebhook")
    assert call.params["url"] == "https://waypoint.example.org/webhooks/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    out = capsys.readouterr().out
    assert "webhooks/telegram/webhook" in out and TOKEN not in out


@pytest.mark.parametrize("missing", ["WAYPOINT_TELEGRAM_TOKEN", "WAYPOINT_TELEGRAM_SECRET",
                                     "WAYPOINT_PUBLIC_URL"])
def test_set_webhook_names_a_missing_variable(
        env: None, api: TelegramApi, monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setenv("WAYPOINT_PUBLIC_URL", "https://waypoint.example.org")
    monkeypatch.delenv(missing)
    with pytest.raises(SystemExit, match=f"set {missing}"):
        telegram_cli.main(["set-webhook"])
    assert not api.calls_of("setWebhook")


def test_a_rejected_token_is_said_plainly(env: None, api: TelegramApi,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_PUBLIC_URL", "https://waypoint.example.org")
    monkeypatch.setenv("WAYPOINT_TELEGRAM_TOKEN", "999:wrong")
    with pytest.raises(SystemExit, match="rejected WAYPOINT_TELEGRAM_TOKEN"):
        telegram_cli.main(["set-webhook"])
