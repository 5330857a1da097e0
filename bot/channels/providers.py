"""Providers on Telegram and SMS: linking a chat or number, then their short commands.

The channel asks :meth:`ProviderDesk.answer` about each typed message before Rasa:

- ``/link CODE`` or ``/lier CODE`` (any channel), or ``LINK CODE`` / ``LIER CODE``
  when what follows reads as one code, links the sender to the code's account
  (:func:`directory.accounts.link`) under the pseudonymous sender id. A link
  message never reaches Rasa, so the code is in no tracker and no log.
- From a linked sender, a text the parser reads as a provider command
  (:func:`provider_command`) runs through :func:`directory.commands.handle`
  with the account's actor, here, in the channel's process, and is answered at
  once. Every other message, "I need a shower" included, goes on to Rasa.
- When an account has several services the answer asks which; the command
  waits in the channel state (an hour, like the other numbered choices) and a
  number, typed or pressed as a Telegram button, runs it for that service.
  Any turn that goes to Rasa drops it.

A crisis comes first: the desk leaves it to Rasa, like anyone's, or answers a
crisis written into a link message with the emergency reply itself.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.channels.state import ChannelState
from bot.channels.turn import crisis_messages
from directory import accounts
from directory.access import Role
from directory.commands import Choice, Outcome, handle
from directory.commands_parse import TODAY, Invalid, Usage, normal, parse
from directory.contact import seal
from directory.db import session_scope
from directory.models import Organization
from safety import crisis as crisis_net
from words import say

logger = logging.getLogger(__name__)

LINK_WORDS = {"LINK": "en", "LIER": "fr"}
PENDING = "command"  # the channel state's name for a command waiting for its service
_CODE_WORD = re.compile(r"[A-Za-z0-9-]+")


@dataclass(frozen=True)
class DeskReply:
    """What the desk answers; ``choices`` (number, service name) when it asks which service."""

    text: str
    lang: str
    choices: tuple[tuple[int, str], ...] = ()

    def messages(self, buttons: bool = False) -> list[dict[str, Any]]:
        """The reply as the assistant's whole messages, for :mod:`bot.channels.render`.

        With ``buttons`` (Telegram) each choice is a button that says its number; SMS
        leaves them out, as the text already numbers them."""
        message: dict[str, Any] = {"text": self.text}
        if buttons and self.choices:
            message["buttons"] = [{"title": f"{n}. {name}", "payload": str(n)}
                                  for n, name in self.choices]
        return [message]


def _link_word(text: str) -> str | None:
    """LINK or LIER, if the text starts with either (with or without a slash)."""
    words = text.strip().split(maxsplit=1)
    keyword = words[0].lstrip("/").split("@")[0].upper() if words else ""
    return keyword if keyword in LINK_WORDS else None


def link_request(text: str) -> tuple[str, str] | None:
    """(language, code) if ``text`` asks to link; the code is "" when none was given.

    The slash forms always ask. A bare LINK or LIER asks only when followed by one or
    two words that make a code's length, so "link me to a shelter" reaches Rasa."""
    keyword = _link_word(text)
    if keyword is None:
        return None
    first, *rest = text.strip().split()
    lang = LINK_WORDS[keyword]
    code = accounts.normal_code("".join(rest))
    if first.startswith("/"):
        return lang, code
    near = abs(len(code) - accounts.CODE_LENGTH) <= 2 and any(c.isdigit() for c in code)
    if 1 <= len(rest) <= 2 and all(_CODE_WORD.fullmatch(w) for w in rest) and (
            len(code) == accounts.CODE_LENGTH or near):
        return lang, code
    return None


def provider_command(text: str, today: date | None = None) -> bool:
    """Whether a linked sender's text is a command, as the parser reads it.

    A command, a bad value (``Invalid``) or a keyword alone (answered with how to write
    it) are; text that is no command is not. A keyword followed by words that make no
    command ("open now", "ok thanks", "hours of the mission", "beds near Vanier") is an
    ordinary message unless those words hold a number or TODAY, the values commands take.
    """
    parsed = parse(text, today or date.today())
    if isinstance(parsed, Usage) and parsed.command is None:
        return False
    if not isinstance(parsed, (Usage, Invalid)):
        return True
    rest = text.strip().rstrip(".!?").split()[1:]
    return not rest or any(c.isdigit() for c in "".join(rest)) or normal(rest[0]) in TODAY


def _reply(outcome: Outcome) -> DeskReply:
    return DeskReply(outcome.text, outcome.lang, tuple((c.number, c.name) for c in outcome.choices))


class ProviderDesk:
    """Links and provider commands for one channel (``"telegram"`` or ``"sms"``)."""

    def __init__(self, channel: str, database_url: str, state: ChannelState,
                 seal_key: bytes | None = None) -> None:
        self.channel, self.database_url, self.state = channel, database_url, state
        self.seal_key = seal_key

    async def answer(self, sender: str, text: str, lang: str | None = None,
                     reach: str | None = None) -> DeskReply | None:
        """The desk's reply to a typed message, or None when it is for the assistant.

        ``lang`` is the conversation's language, for what names none (OK, a number).
        ``reach`` is how to write to this chat or number later; it is kept, sealed, only
        when the person links it to an account (reminders, ``bot.nudger``)."""
        if crisis_net.detect(text) is not None:
            # Rasa answers a crisis, unless the message may hold a link code: never pass it on.
            crisis = crisis_messages(text) if _link_word(text) else None
            return DeskReply(str(crisis[0]["text"]), lang or "en") if crisis else None
        link = link_request(text)
        if link is not None:
            said, code = link
            if not code:
                return DeskReply(say("link_usage", said), said)
            return await self._in_thread(self._link, sender, code, said, reach)
        pending = self._pending(sender)
        if pending is not None and text.strip().rstrip(".)").isdigit():
            service_id = pending.pick(text)
            if service_id is None:
                return _reply(pending)  # not one of the numbers: ask again
            self.drop_pending(sender)
            return await self._in_thread(self._command, sender, pending.pending or "",
                                         pending.lang, service_id)
        if not provider_command(text):
            return None
        return await self._in_thread(self._command, sender, text, lang, None)

    def drop_pending(self, sender: str) -> None:
        """Forget a command waiting for its service (the conversation moved on)."""
        try:
            if self.state.recall(sender, PENDING) is not None:
                self.state.remember(sender, PENDING, None)
        except Exception as exc:  # it expires within the hour anyway
            logger.error("could not drop a pending command (%s)", exc.__class__.__name__)

    async def forget(self, sender: str) -> None:
        """After "forget me": remove the sender's link to an account, if any."""
        from bot.retention import forget_link

        try:
            if await asyncio.to_thread(forget_link, self.database_url, self.channel, sender):
                logger.info("provider link removed on request")
        except Exception as exc:
            logger.error("could not remove a provider link (%s)", exc.__class__.__name__)

    # ---- the database, off the event loop ------------------------------------

    async def _in_thread(self, work: Any, *args: Any) -> DeskReply | None:
        return await asyncio.to_thread(work, *args)  # type: ignore[no-any-return]

    def _link(self, sender: str, code: str, lang: str, reach: str | None = None) -> DeskReply:
        contact = seal(self.seal_key, reach) if self.seal_key and reach else None
        try:
            with session_scope(self.database_url) as session:
                try:
                    actor = accounts.link(session, code, self.channel, sender, contact,
                                          lang)
                except accounts.BadLinkCode:
                    return DeskReply(say("link_bad", lang), lang)
                if actor.role is Role.ADMIN:
                    scope = say("link_scope_admin", lang)
                elif actor.role is Role.PEER:
                    scope = say("link_scope_peer", lang)
                else:
                    org = session.get(Organization, actor.org_id)
                    scope = (org.name_fr if lang == "fr" and org.name_fr else org.name) if org else ""
        except Exception as exc:  # the database is down: say so, never pass the code on
            logger.error("linking failed (%s)", exc.__class__.__name__)
            return DeskReply(say("desk_unavailable", lang), lang)
        logger.info("a %s sender was linked to a %s account", self.channel, actor.role.value)
        return DeskReply(say("link_done", lang, account=actor.name, organization=scope,
                             commands=say("cmd_usage", lang)), lang)

    def _command(self, sender: str, text: str, lang: str | None,
                 service_id: str | None) -> DeskReply | None:
        """Run a command for the sender's account; None when the sender is not linked."""
        linked = False
        try:
            with session_scope(self.database_url) as session:
                actor = accounts.by_sender(session, self.channel, sender)
                if actor is None:
                    return None
                linked = True
                outcome = handle(session, actor, text, service_id=service_id, lang=lang)
        except Exception as exc:
            logger.error("provider command failed (%s)", exc.__class__.__name__)
            if not linked:
                return None  # unknown whether linked: the assistant answers
            said = parse(text, date.today(), lang).lang
            return DeskReply(say("desk_unavailable", said), said)
        if outcome.choices:
            self._keep_pending(sender, outcome)
        return _reply(outcome)

    # ---- the command waiting for its service ---------------------------------

    def _keep_pending(self, sender: str, outcome: Outcome) -> None:
        try:
            self.state.remember(sender, PENDING, {
                "text": outcome.text, "lang": outcome.lang, "command": outcome.pending,
                "choices": [[c.number, c.service_id, c.name] for c in outcome.choices]})
        except Exception as exc:  # a number sent next will reach the assistant instead
            logger.error("could not keep the pending command (%s)", exc.__class__.__name__)

    def _pending(self, sender: str) -> Outcome | None:
        try:
            kept = self.state.recall(sender, PENDING)
        except Exception as exc:
            logger.error("could not recall a pending command (%s)", exc.__class__.__name__)
            return None
        if not isinstance(kept, dict):
            return None
        try:
            choices = tuple(Choice(int(n), str(sid), str(name)) for n, sid, name in kept["choices"])
            return Outcome(str(kept["text"]), str(kept["lang"]), choices, str(kept["command"]))
        except (KeyError, TypeError, ValueError):
            return None
