"""What every channel does to a message before Rasa sees it, and to the turn after.

- Text starting with ``/`` never reaches Rasa as an intent (Rasa reads
  ``/intent{...}`` as an intent at confidence 1.0): only the channel's own
  commands are mapped, explicitly; anything else loses its slashes.
- Control characters go, and the text is cut to a length NLU can handle.
- A turn that ends with no reply, fails or takes too long gets the fallback.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from typing import Any, Awaitable, Callable

from conversation import language

logger = logging.getLogger(__name__)

MAX_CHARS = 2000
SCAN_CHARS = 10_000  # how far into a huge message the crisis net still looks
REPLY_SECONDS = 4.5
# The channel's own commands, each mapped to a plain message the assistant understands.
COMMANDS = {
    "/start": "hello",
    "/help": "help",
    "/lang": "en français",
    "/forget": "forget me",
}
# "/lang en" and "/lang fr" name the language; a bare "/lang" means French (the menu's
# French speakers), except on Telegram, which knows the chat's language and toggles it.
LANGUAGE_REQUESTS = {"en": "English please", "fr": "en français"}
LANGUAGE_WORDS = {"en": "en", "english": "en", "anglais": "en",
                  "fr": "fr", "francais": "fr", "français": "fr", "french": "fr"}


def clean(text: Any) -> str:
    """Printable text of bounded length; slash commands mapped or defused."""
    raw = text if isinstance(text, str) else ""
    raw = "".join(c for c in raw if c in "\n\t" or unicodedata.category(c)[0] != "C").strip()
    if raw.startswith("/"):
        words = raw.lower().split()
        command = words[0].split("@")[0]
        if command == "/lang" and len(words) > 1 and words[1] in LANGUAGE_WORDS:
            return LANGUAGE_REQUESTS[LANGUAGE_WORDS[words[1]]]
        if command in COMMANDS:
            return COMMANDS[command]
        raw = raw.lstrip("/ ").strip()
    return bounded(raw) or "?"


def bounded(text: str) -> str:
    """At most ``MAX_CHARS`` characters: the start of the message, unless a crisis is
    said only further on. Then the window that says it, so a plea at the end of a long
    message is not cut off before the crisis net and the classifier see it."""
    if len(text) <= MAX_CHARS:
        return text
    from safety import crisis as crisis_net

    text = text[:SCAN_CHARS]
    step = MAX_CHARS // 2
    for start in range(0, len(text) - step, step):
        window = text[start:start + MAX_CHARS]
        if crisis_net.detect(window) is not None:
            return window.strip()
    return text[:MAX_CHARS]


def language_hint(text: str) -> str:
    return language.detect(text) or "en"


async def reply_or_fallback(handle: Callable[[], Awaitable[Any]], messages: list[dict[str, Any]],
                            recipient: str, text: str) -> list[dict[str, Any]]:
    """Run one turn; if it fails, times out or says nothing, answer with the fallback."""
    try:
        await asyncio.wait_for(handle(), timeout=REPLY_SECONDS)
    except asyncio.TimeoutError:
        logger.warning("turn timed out after %.1f s; sending the fallback", REPLY_SECONDS)
    except Exception as exc:  # any failure inside Rasa: the person still gets an answer
        logger.error("turn failed (%s); sending the fallback", exc.__class__.__name__)
    if any(m.get("text") or m.get("custom") for m in messages):
        return messages
    return [{"recipient_id": recipient, "text": fallback_reply(text)}]


def fallback_reply(text: str) -> str:
    """What to say when the assistant could not: the emergency reply if the message
    is a crisis (straight from the data files), else 2-1-1, 911 and 9-8-8."""
    from safety import crisis as crisis_net
    from safety.fallback import fallback_text
    from safety.replies import reply

    crisis = crisis_net.detect(text)
    if crisis is not None:
        return reply(crisis.kind, crisis.language or language_hint(text))
    return fallback_text(language_hint(text))


async def forget_if_asked(app: Any, sender: str) -> bool:
    """After a "forget me" turn, delete the whole conversation from the tracker store.

    This runs after every turn, so it reads only the intent of the newest user
    message, straight from the store underneath Rasa's wrappers (the serialised
    JSON, or one indexed SQL row), instead of rebuilding the whole tracker.
    """
    import json

    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    from bot.retention import forget, underlying

    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or agent.tracker_store is None:
        return False
    store = underlying(agent.tracker_store)
    if isinstance(store, SQLTrackerStore):
        event = store.SQLEvent
        with store.session_scope() as session:
            intent = session.query(event.intent_name).filter(
                event.sender_id == sender, event.type_name == "user").order_by(
                event.id.desc()).limit(1).scalar()
    elif isinstance(store, (InMemoryTrackerStore, RedisTrackerStore)):
        raw = (store.store.get(sender) if isinstance(store, InMemoryTrackerStore)
               else store.red.get(store.key_prefix + sender))
        events = (json.loads(raw) or {}).get("events") or [] if raw else []
        last = next((e for e in reversed(events) if e.get("event") == "user"), None) or {}
        intent = ((last.get("parse_data") or {}).get("intent") or {}).get("name")
    else:
        # Another store: the restart after "forget me" starts a new session, so read
        # the full history.
        from rasa.shared.core.events import UserUttered

        tracker = await agent.tracker_store.retrieve_full_tracker(sender)
        utterance = tracker and next(
            (e for e in reversed(tracker.events) if isinstance(e, UserUttered)), None)
        intent = (utterance.intent or {}).get("name") if utterance else None
    if intent == "forget_me" and forget(agent.tracker_store, sender):
        logger.info("conversation deleted on request")
        return True
    return False


_SENDER = re.compile(r"^[\w.:@-]{1,128}$")


def valid_sender(sender: Any) -> bool:
    return isinstance(sender, str) and bool(_SENDER.match(sender))
