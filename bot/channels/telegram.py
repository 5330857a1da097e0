"""The Telegram channel (``POST /webhooks/telegram/webhook``).

Telegram posts each update to the webhook with the secret it was registered
with (``python -m bot.channels.telegram_cli set-webhook``). The webhook checks
that secret before reading anything, answers 200 at once and handles the
update in the background, so a slow turn never makes Telegram redeliver it.
Anything it cannot use (bad JSON, edited messages, groups, channel posts) also
gets a 200, so Telegram never retries in a storm.

Rasa only ever sees ``identity.sender_id("telegram", user id)``. The chat id
lives in memory for as long as it takes to answer; no id or message text is
logged. ``/link CODE`` (``/lier CODE``) and, from a linked chat, the providers'
short commands are answered before Rasa (:mod:`bot.channels.providers`); a
question which service comes with a button for each.

Configuration comes from ``settings``: ``WAYPOINT_TELEGRAM_TOKEN``,
``WAYPOINT_TELEGRAM_SECRET``, ``WAYPOINT_HMAC_SECRET`` and optionally
``WAYPOINT_TELEGRAM_API_URL`` (another Bot API server, such as the tests'
stand-in). Without the first three the channel is off and the webhook says so
with a 404.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.request import HTTPXRequest

import settings
from bot import patches
from bot.channels import guard, identity, render, turn
from bot.channels.providers import ProviderDesk
from bot.channels.state import ChannelState, for_settings
from safety.replies import say as channel_text
from settings import DEFAULT_TELEGRAM_API_URL, Settings

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_API_URL = DEFAULT_TELEGRAM_API_URL
OFF = {"error": "the Telegram channel is off"}
# Telegram's documented limits: about one message a second in a chat (short bursts
# are tolerated) and 30 a second in all.
CHAT_RATE, CHAT_BURST = 1.0, 4
GLOBAL_RATE, GLOBAL_BURST = 30.0, 30
MAX_RETRY_SECONDS = 30.0  # a longer RetryAfter means the reply is stale anyway

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    secret: str
    hmac_key: bytes
    api_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConfig | None:
        """The configuration, or None (after one INFO line naming what to set) when the channel is off."""
        missing = settings.missing_for_telegram()
        if missing or settings.hmac_secret is None:
            logger.info("the Telegram channel is off; to turn it on, set %s", ", ".join(missing))
            return None
        return cls(settings.telegram_token, settings.telegram_secret, settings.hmac_secret,
                   settings.telegram_api_url)


def make_bot(token: str, api_url: str) -> Bot:
    """A Bot on ``api_url`` (Telegram's, or a local Bot API server)."""
    return Bot(token, base_url=f"{api_url}/bot",
               request=HTTPXRequest(connection_pool_size=64, pool_timeout=5.0))


def quiet_http_logs() -> None:
    """httpx logs every request URL at INFO, and a Bot API URL contains the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


class Bucket:
    """A token bucket that hands out reservations: the wait before the next send."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, float(burst), now

    def reserve(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return max(0.0, -self.tokens / self.rate)


class SendLimiter:
    """Keeps sends within Telegram's limits, per chat and overall, in this process.

    PTB's AIORateLimiter would need ``aiolimiter``; this is the small part of it
    Waypoint needs. Chats not heard from for a while are dropped from memory.
    """

    MAX_CHATS = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.overall = Bucket(GLOBAL_RATE, GLOBAL_BURST, clock())
        self.chats: OrderedDict[int, Bucket] = OrderedDict()

    def delay(self, chat_id: int) -> float:
        """Reserve a send to ``chat_id``; return how long to wait before making it."""
        now = self.clock()
        bucket = self.chats.pop(chat_id, None) or Bucket(CHAT_RATE, CHAT_BURST, now)
        self.chats[chat_id] = bucket
        while len(self.chats) > self.MAX_CHATS:
            self.chats.popitem(last=False)
        return max(self.overall.reserve(now), bucket.reserve(now))

    async def wait(self, chat_id: int) -> None:
        seconds = self.delay(chat_id)
        if seconds:
            await asyncio.sleep(seconds)


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds (PTB 22 may give an int or a timedelta)."""
    value = error.retry_after
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return min(seconds, MAX_RETRY_SECONDS)


def keyboard(rows: list[list[render.Choice]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=c.action) for c in row]
                                 for row in rows])


def private_chat(message: Any) -> bool:
    return isinstance(message, Message) and message.chat.type == ChatType.PRIVATE


class TelegramInput(InputChannel):
    """Telegram updates in, HTML messages with inline buttons out."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self) -> None:
        self.settings: TelegramConfig | None = None
        self.state: ChannelState | None = None
        self.desk: ProviderDesk | None = None
        self.limiter = SendLimiter()
        self._bot: Bot | None = None
        self._bot_lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def configure(self) -> bool:
        """Read the settings once; True when the channel is on."""
        current = settings.load()
        self.settings = TelegramConfig.from_settings(current)
        if self.settings is not None:
            quiet_http_logs()
            self.state = for_settings(current)
            self.desk = ProviderDesk(CHANNEL, current.database_url, self.state,
                                     current.hmac_secret)
        return self.settings is not None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        patches.require_installed()
        self.configure()
        hook = Blueprint("waypoint_telegram", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json(OFF, status=404)
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return self.receive(request, on_new_message)

        return hook

    # ---- the webhook ------------------------------------------------------

    def receive(self, request: Any, on_new_message: OnNewMessage) -> HTTPResponse:
        """Check the secret, then acknowledge at once and handle the update in the background."""
        if self.settings is None:
            return response.json(OFF, status=404)
        given = (request.headers.get(SECRET_HEADER) or "").encode("utf-8")
        if not hmac.compare_digest(given, self.settings.secret.encode("utf-8")):
            return response.json({"error": "forbidden"}, status=403)
        try:
            body = request.json
        except Exception:  # sanic raises its own error type for bad JSON
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
            logger.warning("ignored a webhook request that is not a Telegram update")
            return response.json({"ok": True})
        app = request.app
        task = asyncio.create_task(self.handle(body, on_new_message, app))
        self._tasks.add(task)  # the loop only keeps weak references to tasks
        task.add_done_callback(self._tasks.discard)
        return response.json({"ok": True})

    async def bot(self) -> Bot:
        """The Bot, initialised once inside the server's loop (never at import)."""
        if self._bot_lock is None:
            self._bot_lock = asyncio.Lock()
        async with self._bot_lock:
            if self._bot is None:
                assert self.settings is not None
                bot = make_bot(self.settings.token, self.settings.api_url)
                await bot.initialize()
                self._bot = bot
        return self._bot

    async def handle(self, data: dict[str, Any], on_new_message: OnNewMessage, app: Any) -> None:
        """Handle one update; nothing escapes, so a bad update never breaks the channel."""
        try:
            assert self.state is not None
            bot = await self.bot()
            try:
                update = Update.de_json(data, bot)
            except Exception:  # the update_id was there, the rest was not a Telegram update
                logger.warning("ignored an update that could not be read")
                return
            if not turn.first_delivery(self.state, f"{CHANNEL}:{update.update_id}"):
                logger.debug("ignored a repeated update")
                return
            if private_chat(update.message):
                await self.on_message(bot, update.message, on_new_message, app)
            elif update.callback_query is not None:
                await self.on_callback(bot, update.callback_query, on_new_message, app)
            else:
                logger.debug("ignored an update that is not a new private message or a button")
        except Exception as exc:
            logger.error("Telegram update failed (%s)", exc.__class__.__name__)

    # ---- what people send -------------------------------------------------

    async def on_message(self, bot: Bot, message: Message, on_new_message: OnNewMessage,
                         app: Any) -> None:
        """Answer typed text or a shared location; say what else cannot be read."""
        if message.from_user is None:
            return
        sender = identity.sender_id(CHANNEL, message.from_user.id, self.settings_key())
        chat_id = message.chat.id
        if message.location is not None:
            trusted = turn.location_message(message.location.latitude, message.location.longitude)
            await self.converse(bot, chat_id, sender, on_new_message, app, "", trusted=trusted)
        elif message.text:
            await self.converse(bot, chat_id, sender, on_new_message, app,
                                self.toggle_language(sender, message.text))
        else:
            await self.send_text(bot, chat_id, channel_text("unsupported", self.language(sender)))

    async def on_callback(self, bot: Bot, query: CallbackQuery, on_new_message: OnNewMessage,
                          app: Any) -> None:
        """Act on an inline button; callback data can be forged, so only known actions run."""
        if query.message is not None and query.message.chat.type != ChatType.PRIVATE:
            return
        try:
            await query.answer()
        except TelegramError as exc:
            logger.warning("answering a button failed (%s)", exc.__class__.__name__)
        sender = identity.sender_id(CHANNEL, query.from_user.id, self.settings_key())
        # In a private chat the chat id is the user's id.
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        action = query.data or ""
        lang = self.language(sender)
        kind, _, arg = action.partition(":")
        if kind == "say" and arg:
            await self.converse(bot, chat_id, sender, on_new_message, app, arg)
        elif action in turn.TRUSTED_ACTIONS:
            await self.converse(bot, chat_id, sender, on_new_message, app, "",
                                trusted=turn.TRUSTED_ACTIONS[action])
        elif action == "area":
            share = ReplyKeyboardMarkup(
                [[KeyboardButton(channel_text("button_share_location", lang), request_location=True)]],
                one_time_keyboard=True, resize_keyboard=True)
            await self.send_text(bot, chat_id, channel_text("ask_place_telegram", lang), share)
        elif kind in ("map", "call") and (item := self.remembered_item(sender, arg)):
            await self.act_on_item(bot, chat_id, kind, item, lang)
        else:
            await self.send_text(bot, chat_id, channel_text("choice_expired", lang))

    async def act_on_item(self, bot: Bot, chat_id: int, kind: str, item: dict[str, Any],
                          lang: str) -> None:
        """Send a listing's map pin or its phone number."""
        name = str(item.get("name") or "")
        pinned = item.get("lat") is not None and item.get("lon") is not None
        if kind == "map" and pinned and not item.get("confidential"):
            await self.send(chat_id, lambda: bot.send_venue(
                chat_id, latitude=float(item["lat"]), longitude=float(item["lon"]),
                title=name, address=str(item.get("where") or item.get("address") or name)))
        elif kind == "call" and item.get("phone"):
            await self.send_text(bot, chat_id, channel_text("call_number", lang, name=name,
                                                            phone=item["phone"]))
        else:
            await self.send_text(bot, chat_id, channel_text("choice_expired", lang))

    # ---- one turn ---------------------------------------------------------

    async def converse(self, bot: Bot, chat_id: int, sender: str, on_new_message: OnNewMessage,
                       app: Any, user_text: str, trusted: str | None = None) -> None:
        """Run a turn (unless the sender is over the rate limit) and send its replies.

        Typed text goes to the provider desk first: a link, or a linked chat's command."""
        assert self.state is not None
        messages = turn.over_limit(self.state, sender, user_text)
        if messages is None and not trusted and self.desk is not None:
            answered = await self.desk.answer(sender, user_text, self.language(sender),
                                              reach=str(chat_id))
            messages = None if answered is None else answered.messages(buttons=True)
        if messages is None:
            messages = await turn.run_turn(on_new_message, app, CHANNEL, sender,
                                           user_text=user_text, trusted=trusted, state=self.state,
                                           desk=self.desk)
            self.remember(sender, messages)
        for rendered in render.telegram(messages):
            await self.send(chat_id, lambda r=rendered: bot.send_message(
                chat_id, r.html, parse_mode=ParseMode.HTML, reply_markup=keyboard(r.rows)))

    def remember(self, sender: str, messages: list[dict[str, Any]]) -> None:
        """Keep the reply's language, and the listings shown, for the buttons that follow."""
        assert self.state is not None
        try:
            self.state.remember(sender, "lang", render.reply_language(messages))
            for message in messages:
                results = render.results_of(message)
                if results:
                    self.state.remember(sender, "results", {"lang": results.get("lang"),
                                                            "items": results.get("items") or []})
        except Exception as exc:  # state store down: the buttons will say "expired"
            logger.error("could not remember the results (%s)", exc.__class__.__name__)

    def recall(self, sender: str, name: str) -> Any:
        assert self.state is not None
        try:
            return self.state.recall(sender, name)
        except Exception as exc:
            logger.error("could not recall channel state (%s)", exc.__class__.__name__)
            return None

    def remembered_item(self, sender: str, index: str) -> dict[str, Any] | None:
        results = self.recall(sender, "results")
        items = results.get("items") if isinstance(results, dict) else None
        if not index.isdigit() or not isinstance(items, list) or int(index) >= len(items):
            return None
        item = items[int(index)]
        return item if isinstance(item, dict) else None

    def toggle_language(self, sender: str, text: str) -> str:
        """A bare ``/lang`` asks for the language this chat is not in."""
        words = text.lower().split()
        if len(words) == 1 and words[0].split("@")[0] == "/lang":
            return guard.LANGUAGE_REQUESTS["en" if self.language(sender) == "fr" else "fr"]
        return text

    def language(self, sender: str) -> str:
        """The conversation's language: that of the last results, else of the last reply."""
        results = self.recall(sender, "results")
        lang = results.get("lang") if isinstance(results, dict) else None
        lang = lang or self.recall(sender, "lang")
        return lang if lang in ("en", "fr") else "en"

    def settings_key(self) -> bytes:
        assert self.settings is not None
        return self.settings.hmac_key

    # ---- sending ----------------------------------------------------------

    async def send_text(self, bot: Bot, chat_id: int, body: str, markup: Any = None) -> None:
        await self.send(chat_id, lambda: bot.send_message(chat_id, body, reply_markup=markup))

    async def send(self, chat_id: int, call: Callable[[], Awaitable[Any]]) -> None:
        """Make one Bot API call within the limits; after RetryAfter, wait and retry once.

        Failures are logged by class name only and never raised: the next
        message still gets its answer.
        """
        await self.limiter.wait(chat_id)
        try:
            try:
                await call()
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                await call()
        except TelegramError as exc:
            logger.warning("sending to Telegram failed (%s)", exc.__class__.__name__)

