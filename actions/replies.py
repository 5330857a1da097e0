"""The replies only actions send, from ``actions/replies.yml``, in the person's language.

They are not domain responses because no story or rule names them (the actions and the
search form's ask actions send them), and Rasa's validator reports every domain
response no story or rule names as unused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.bilingual import load

PATH = Path(__file__).resolve().with_name("replies.yml")


def replies() -> dict[str, dict[str, str]]:
    """Every reply by key (read once; each has an English and a French text)."""
    return load(PATH)


def render(key: str, lang: str, **values: Any) -> str:
    """Reply ``key`` in French if ``lang`` is "fr", else in English, ``{names}`` filled in.

    English is the default as in the domain, where the French variation is the one
    conditioned on the ``language`` slot.
    """
    return replies()[key]["fr" if lang == "fr" else "en"].format(**values)


def say(dispatcher: CollectingDispatcher, key: str, lang: str,
        json_message: dict[str, Any] | None = None, **values: Any) -> None:
    """Send reply ``key``, with the structured payload the channels render, if any."""
    dispatcher.utter_message(text=render(key, lang, **values), json_message=json_message)
