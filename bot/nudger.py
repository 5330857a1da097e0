"""Send the weekly reminders to providers, from inside every Rasa server.

``directory.nudges`` says who is due and lets exactly one server claim each reminder;
this module runs that on a timer (started by ``bot.patches`` with the server) and
sends the message on the channel the provider linked: Telegram through the Bot API,
SMS through Twilio's Messages API (only when the REST mode is configured: in TwiML
mode Waypoint can only answer, never write first). A reminder that cannot be sent is
not claimed, so it goes out once the channel can send it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import aiohttp

import settings
from directory.contact import UnreadableContact, unseal
from directory.db import session_scope
from directory.freshness import Policy
from directory.nudges import Due, claim, due
from words import say

logger = logging.getLogger(__name__)

EVERY_SECONDS = 15 * 60
MAX_NAMES = 2  # services named in one reminder; "and 3 more" beyond


@dataclass(frozen=True)
class Outbox:
    """How each channel sends a first message; None where it cannot."""

    telegram: Callable[[str, str], Awaitable[None]] | None
    sms: Callable[[str, str], Awaitable[None]] | None

    def can(self, channel: str) -> bool:
        return getattr(self, channel, None) is not None


def outbox_for(current: settings.Settings) -> Outbox:
    telegram = None
    if not current.missing_for_telegram():
        async def telegram(chat_id: str, text: str) -> None:
            from bot.channels.telegram import make_bot

            async with make_bot(current.telegram_token, current.telegram_api_url) as bot:
                await bot.send_message(chat_id=int(chat_id), text=text)

    sms = None
    if not current.missing_for_sms() and current.sms_reply == "rest":
        async def sms(reach: str, text: str) -> None:
            number, _, sent_from = reach.partition("|")
            url = (f"{current.twilio_api_url}/2010-04-01/Accounts/"
                   f"{current.twilio_account_sid}/Messages.json")
            auth = aiohttp.BasicAuth(current.twilio_account_sid, current.twilio_auth_token)
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
                async with http.post(url, data={"To": number, "From": sent_from, "Body": text},
                                     auth=auth) as answer:
                    answer.raise_for_status()

    return Outbox(telegram, sms)


def reminder_text(reminder: Due) -> str:
    names = ", ".join(reminder.services[:MAX_NAMES])
    if len(reminder.services) > MAX_NAMES:
        names += f" (+{len(reminder.services) - MAX_NAMES})"
    return say("nudge", reminder.lang, services=names)


def claim_due(database_url: str, outbox: Outbox, policy: Policy) -> list[Due]:
    """The reminders this server has claimed and must send now."""
    mine = []
    with session_scope(database_url) as session:
        for reminder in due(session, policy):
            if outbox.can(reminder.channel) and claim(session, reminder.account_id, policy.now):
                mine.append(reminder)
    return mine


async def nudge_once(current: settings.Settings, outbox: Outbox,
                     policy: Policy | None = None) -> int:
    """Claim and send what is due; returns how many reminders were sent."""
    if current.hmac_secret is None:
        return 0
    claimed = await asyncio.to_thread(claim_due, current.database_url, outbox,
                                      policy or Policy())
    sent = 0
    for reminder in claimed:
        try:
            reach = unseal(current.hmac_secret, reminder.contact)
            send = getattr(outbox, reminder.channel)
            await send(reach, reminder_text(reminder))
            sent += 1
        except UnreadableContact:
            logger.warning("a reminder's contact was sealed with another key; skipped")
        except Exception as exc:  # one failed send must not stop the others
            logger.error("a reminder could not be sent (%s)", exc.__class__.__name__)
    if sent:
        logger.info("sent %d provider reminder(s)", sent)
    return sent


async def keep_nudging(_app: Any, every: float = EVERY_SECONDS) -> None:
    """Every 15 minutes, for as long as the server runs."""
    while True:
        try:
            current = settings.load()
            await nudge_once(current, outbox_for(current))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be down for a while: try again later
            logger.error("reminders failed this round (%s)", exc.__class__.__name__)
        await asyncio.sleep(every)
