"""SMS through a Twilio-compatible webhook: ``POST /webhooks/sms/webhook``.

Rasa's own Twilio connector checks no signature, stores phone numbers as
sender ids and answers errors with HTTP 500, so the provider delivers the same
message again. This one:

- checks ``X-Twilio-Signature`` (HMAC-SHA1 of the public URL and the POST
  parameters, keyed with the auth token) against ``WAYPOINT_PUBLIC_URL``, so it
  works behind a proxy, and refuses a bad one with 403 before anything is kept;
- hands Rasa only ``HMAC-SHA256(secret, "sms:" + number)``;
- answers HELP/INFO/AIDE, STOP/ARRET and START itself, as carriers require;
- turns a digit into the numbered choice it was offered ("Reply 1 for more");
- answers ``LINK CODE`` (``LIER CODE``) and, from a linked number, the providers'
  short commands itself, before Rasa (:mod:`bot.channels.providers`);
- replies with TwiML (default) or, with ``WAYPOINT_SMS_REPLY=rest``, acknowledges
  at once and sends the reply through the REST API;
- processes a repeated ``MessageSid`` once and never answers 5xx.

Configuration comes from ``settings``: ``WAYPOINT_TWILIO_AUTH_TOKEN``,
``WAYPOINT_PUBLIC_URL`` and ``WAYPOINT_HMAC_SECRET`` (the channel is off
without them); for REST replies also ``WAYPOINT_TWILIO_ACCOUNT_SID`` and,
for a stand-in, ``WAYPOINT_TWILIO_API_URL``.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

import settings
from bot import patches
from bot.channels import identity, render, state, turn
from bot.channels.optout import OptOuts
from bot.channels.providers import ProviderDesk
from bot.retention import forget
from conversation import language
from safety.fallback import fallback_text
from safety.replies import say as channel_text
from settings import Settings

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 1600  # Twilio's own limit for one inbound message
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET"}
START_WORDS = {"START", "UNSTOP", "DEBUT"}
HELP_WORDS = {"HELP", "INFO", "AIDE"}
FRENCH_WORDS = {"ARRET", "AIDE", "DEBUT"}


def keyword(body: str) -> str | None:
    """The carrier keyword a message is, if it is only that word (any case, any accent)."""
    word = unicodedata.normalize("NFD", body.strip().strip(".!").upper())
    word = "".join(c for c in word if unicodedata.category(c) != "Mn")
    return word if word in STOP_WORDS | START_WORDS | HELP_WORDS else None


@dataclass(frozen=True)
class SmsConfig:
    auth_token: str
    public_url: str
    hmac_key: bytes
    reply_mode: str = "twiml"
    account_sid: str = ""
    api_url: str = "https://api.twilio.com"

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmsConfig | None":
        """The configuration, or None (channel off) with what to set logged once."""
        missing = settings.missing_for_sms()
        if missing or settings.hmac_secret is None:
            logger.info("SMS channel is off: set %s to turn it on", ", ".join(missing))
            return None
        return cls(settings.twilio_auth_token, settings.public_url, settings.hmac_secret,
                   settings.sms_reply, settings.twilio_account_sid, settings.twilio_api_url)


def form_of(request: Request) -> RequestParameters:
    """The POST parameters, blank ones included: Twilio signs an empty Body too."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return RequestParameters()
    raw = request.body.decode("utf-8", errors="replace")
    return RequestParameters(parse_qs(raw, keep_blank_values=True))


def twiml(reply: str | None) -> HTTPResponse:
    """A TwiML answer: one message, or none."""
    answer = MessagingResponse()
    if reply:
        answer.message(reply)
    return response.text(str(answer), content_type="application/xml")


class SmsInput(InputChannel):
    """The Twilio-compatible SMS webhook, with Waypoint's guard in front of Rasa."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    def __init__(self) -> None:
        self.config: SmsConfig | None = None
        self.state: state.ChannelState | None = None
        self.opt_outs: OptOuts | None = None
        self.desk: ProviderDesk | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def configure(self) -> bool:
        """Read the settings once; True when the channel is on."""
        current = settings.load()
        self.config = SmsConfig.from_settings(current)
        if self.config:
            self.state = state.for_settings(current)
            self.opt_outs = OptOuts(current.database_url)
            self.desk = ProviderDesk(self.name(), current.database_url, self.state,
                                     current.hmac_secret)
        return self.config is not None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        patches.require_installed()
        self.configure()
        hook = Blueprint("waypoint_sms", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.config else "off"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.config is None:
                return response.json({"error": "the SMS channel is off"}, status=404)
            if not self.signed(request, self.config):
                return response.json({"error": "bad signature"}, status=403)
            try:
                return await self.handle(request, on_new_message)
            except Exception as exc:  # never a 5xx: Twilio would deliver the message again
                logger.error("SMS turn failed (%s)", exc.__class__.__name__)
                return twiml(fallback_text(language.detect(str(form_of(request).get("Body") or ""))))

        return hook

    @staticmethod
    def signed(request: Request, config: SmsConfig) -> bool:
        """Whether Twilio signed this request for our public URL."""
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        url = config.public_url + request.path
        if request.query_string:
            url += "?" + request.query_string
        try:
            return bool(RequestValidator(config.auth_token).validate(url, form_of(request), signature))
        except Exception:  # a malformed body is an unsigned one
            return False

    async def handle(self, request: Request,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        assert self.config is not None and self.state is not None
        form = form_of(request)
        number = str(form.get("From") or "")
        if not number:
            return response.json({"error": "From is required"}, status=400)
        sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
        if sid and not turn.first_delivery(self.state, f"sms:{sid}"):
            logger.info("repeated SMS delivery ignored")
            return twiml(None)
        sender = identity.sender_id("sms", number, self.config.hmac_key)
        body = str(form.get("Body") or "")[:MAX_BODY_CHARS]
        # Where a reminder would go, should this number link to a provider account.
        reach = f"{number}|{form.get('To') or ''}"
        reply = self.reply(request.app, on_new_message, sender, body, reach)
        if self.config.reply_mode == "twiml":
            return twiml(await reply)
        task = asyncio.create_task(self.send_later(reply, to=number, sent_from=str(form.get("To") or "")))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return twiml(None)

    async def reply(self, app: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                    sender: str, body: str, reach: str | None = None) -> str | None:
        """The one SMS to send back (at most three segments), or None for silence."""
        assert self.state is not None and self.opt_outs is not None
        word = keyword(body)
        if word:
            return self.keyword_reply(app, word, sender)
        if self.opt_outs.is_opted_out(sender):
            # Opted out: nothing is processed or kept, but an emergency still gets its answer.
            crisis = turn.crisis_messages(body)
            return render.sms(crisis)[0] if crisis else None
        limited = turn.over_limit(self.state, sender, body)
        if limited:
            return render.sms(limited)[0]
        if self.desk is not None:
            answered = await self.desk.answer(sender, body, self.language(sender, body), reach)
            if answered is not None:
                self.remember_choices(sender, [], answered.lang)  # a digit now picks a service
                return render.sms(answered.messages())[0]
        action, lang = self.choice(sender, body)
        if action == "area":
            self.remember_choices(sender, [], lang)  # the next digit is a postal code, not a choice
            return render.sms([{"text": channel_text("ask_place_sms", lang)}])[0]
        if action in turn.TRUSTED_ACTIONS:
            messages = await turn.run_turn(on_new_message, app, self.name(), sender,
                                           trusted=turn.TRUSTED_ACTIONS[action], state=self.state,
                                           desk=self.desk)
        else:
            said = action[len("say:"):] if action and action.startswith("say:") else body
            messages = await turn.run_turn(on_new_message, app, self.name(), sender, user_text=said,
                                           state=self.state, desk=self.desk)
        text, choices = render.sms(messages)
        self.remember_choices(sender, choices, render.reply_language(messages))
        return text

    def language(self, sender: str, body: str) -> str | None:
        """The message's language, else that of the choices last offered, if any."""
        assert self.state is not None
        said = language.detect(body)
        if said:
            return said
        try:
            offered = self.state.recall(sender, "choices") or {}
        except Exception as exc:
            logger.error("choice look-up failed (%s)", exc.__class__.__name__)
            return None
        lang = offered.get("lang") if isinstance(offered, dict) else None
        return lang if lang in ("en", "fr") else None

    def choice(self, sender: str, body: str) -> tuple[str | None, str]:
        """The numbered choice a digit picks, with the language it was offered in."""
        assert self.state is not None
        if not body.strip().isdigit():
            return None, language.detect(body) or "en"
        try:
            offered = self.state.recall(sender, "choices") or {}
        except Exception as exc:
            logger.error("choice look-up failed (%s)", exc.__class__.__name__)
            offered = {}
        actions = offered.get("actions") or []
        n = int(body.strip())
        if 0 < n <= len(actions):
            return str(actions[n - 1]), str(offered.get("lang") or "en")
        return None, str(offered.get("lang") or "en")

    def remember_choices(self, sender: str, choices: list[render.Choice], lang: str) -> None:
        assert self.state is not None
        try:
            self.state.remember(sender, "choices", {"lang": lang,
                                                    "actions": [c.action for c in choices]})
        except Exception as exc:
            logger.error("could not keep the choices (%s)", exc.__class__.__name__)

    def keyword_reply(self, app: Any, word: str, sender: str) -> str:
        """Carrier keywords, answered in the keyword's language within 160 characters."""
        assert self.state is not None and self.opt_outs is not None
        lang = "fr" if word in FRENCH_WORDS else "en"
        if word in HELP_WORDS:
            return channel_text("sms_help", lang)
        if word in START_WORDS:
            self.opt_outs.opt_in(sender)
            logger.info("SMS sender opted back in")
            return channel_text("sms_start", lang)
        self.opt_outs.opt_out(sender)
        self.state.forget(sender)
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        if agent is not None and agent.tracker_store is not None:
            forget(agent.tracker_store, sender)
        logger.info("SMS sender opted out; conversation deleted")
        return channel_text("sms_stop", lang)

    async def send_later(self, reply: Awaitable[str | None], to: str, sent_from: str) -> None:
        """REST mode: send the reply through the Messages API once it is ready."""
        assert self.config is not None
        try:
            body = await reply
        except Exception as exc:
            logger.error("SMS turn failed (%s)", exc.__class__.__name__)
            body = fallback_text("en")
        if not body:
            return
        url = f"{self.config.api_url}/2010-04-01/Accounts/{self.config.account_sid}/Messages.json"
        auth = aiohttp.BasicAuth(self.config.account_sid, self.config.auth_token)
        for attempt in (1, 2):
            try:
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
                    async with http.post(url, data={"To": to, "From": sent_from, "Body": body},
                                         auth=auth) as answer:
                        if answer.status < 300:
                            return
                        logger.error("SMS REST API answered %s (attempt %d)", answer.status, attempt)
                        if answer.status < 500:
                            return
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                logger.error("SMS REST API unreachable (%s, attempt %d)",
                             exc.__class__.__name__, attempt)
