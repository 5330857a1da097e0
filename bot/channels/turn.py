"""One turn on a messaging channel, the same for Telegram and SMS.

Before Rasa: a repeated delivery is dropped, and a sender over the rate limit
gets "slow down" (a crisis message still gets its emergency reply). Then the
turn runs under the guard (:mod:`bot.channels.guard`): text cleaned, answer
within 5 seconds or the fallback, "forget me" honoured (with a provider's link,
see :mod:`bot.channels.providers`). Channel state that fails (Redis down) never
blocks a reply: the message is processed as new.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guard import clean, forget_if_asked, reply_or_fallback
from bot.channels.state import ChannelState
from conversation import language
from safety import crisis as crisis_net
from safety.replies import reply as crisis_reply
from safety.replies import say as channel_text

if TYPE_CHECKING:  # providers imports this module
    from bot.channels.providers import ProviderDesk

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# What a results button or numbered choice sends to Rasa. The channel writes these
# itself; user text can never produce them (guard.clean defuses a leading "/").
TRUSTED_ACTIONS = {
    "more": "/more_results",
    "open_now": '/set_filter{"filter": "open_now"}',
}


class WholeMessages(CollectingOutputChannel):
    """Keeps each bot message whole (text, buttons and custom payload together),
    so the channel renders the listings from data, not from pre-made text."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append({"recipient_id": recipient_id, **message})


def first_delivery(state: ChannelState, key: str) -> bool:
    try:
        return state.first_delivery(key)
    except Exception as exc:  # state store down: better twice than never
        logger.error("delivery check failed (%s); processing", exc.__class__.__name__)
        return True


def crisis_messages(user_text: str) -> list[dict[str, Any]] | None:
    """The emergency reply, straight from the data files, if the text is a crisis."""
    crisis = crisis_net.detect(user_text)
    if crisis is None:
        return None
    return [{"text": crisis_reply(crisis.kind, crisis.language or language.detect(user_text))}]


def over_limit(state: ChannelState, sender: str, user_text: str) -> list[dict[str, Any]] | None:
    """The reply for a sender over the rate limit, or None when the turn may run."""
    try:
        allowed = state.allow(sender)
    except Exception as exc:
        logger.error("rate limit check failed (%s); allowing", exc.__class__.__name__)
        allowed = True
    if allowed:
        return None
    logger.info("sender over the rate limit")
    return crisis_messages(user_text) or [
        {"text": channel_text("slow_down", language.detect(user_text))}]


def location_message(lat: float, lon: float) -> str:
    """A shared location as the place to search around, rounded to about 100 m
    before anything stores it."""
    return '/inform_place{"place": "%.3f,%.3f"}' % (lat, lon)


async def run_turn(on_new_message: OnNewMessage, app: Any, channel: str, sender: str,
                   user_text: str | None = None, trusted: str | None = None,
                   state: ChannelState | None = None,
                   desk: ProviderDesk | None = None) -> list[dict[str, Any]]:
    """Send typed text (cleaned) or a channel-built message (``TRUSTED_ACTIONS``,
    :func:`location_message`) to Rasa; return the bot's whole messages. A provider
    command waiting for its service is dropped: the conversation moved on. After
    "forget me", the channel state kept for the sender goes too, and its link to a
    provider account."""
    if desk is not None:
        desk.drop_pending(sender)
    message = trusted if trusted else clean(user_text)
    collector = WholeMessages()
    messages = await reply_or_fallback(
        lambda: on_new_message(UserMessage(message, collector, sender, input_channel=channel)),
        collector.messages, sender, message)
    if await forget_if_asked(app, sender):
        if state is not None:
            try:
                state.forget(sender)
            except Exception as exc:  # it expires within the hour anyway
                logger.error("could not drop the channel state (%s)", exc.__class__.__name__)
        if desk is not None:
            await desk.forget(sender)
    return messages
