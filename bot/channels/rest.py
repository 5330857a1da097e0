"""The REST channel (``POST /webhooks/rest/webhook``), hardened.

Same request and reply shape as Rasa's own (``{"sender", "message"}`` in, a
list of ``{"recipient_id", "text"}`` out), but: slash intents are defused, bad
input gets a 400 with a reason instead of a 500, message text is never logged,
and every turn answers within 5 seconds, with the fallback if need be.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import patches
from bot.channels.guard import (
    clean,
    forget_if_asked,
    reply_or_fallback,
    valid_sender,
)

logger = logging.getLogger(__name__)


class SafeRestInput(InputChannel):
    """Rasa's REST webhook with Waypoint's guard in front of it."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        patches.require_installed()
        hook = Blueprint("waypoint_rest", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises its own error type for bad JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "send a JSON object with sender and message"},
                                     status=400)
            sender = body.get("sender")
            if not valid_sender(sender):
                return response.json({"error": "sender must be 1-128 letters, digits or ._:@-"},
                                     status=400)
            text = clean(body.get("message"))
            collector = CollectingOutputChannel()
            messages = await reply_or_fallback(
                lambda: on_new_message(UserMessage(text, collector, sender,
                                                   input_channel=self.name())),
                collector.messages, sender, text)
            await forget_if_asked(request.app, sender)
            return response.json(messages)

        return hook
