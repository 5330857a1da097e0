"""Send a sentence of the catalogue (``words/``) from an action, in the person's language.

The actions' own sentences (``words/search.yml``, ``words/hours.yml``) are not domain
responses because no story or rule names them (the actions and the search form's ask
actions send them), and Rasa's validator reports every domain response no story or
rule names as unused.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

import words


def say(dispatcher: CollectingDispatcher, key: str, lang: str,
        json_message: dict[str, Any] | None = None, **values: Any) -> None:
    """Send sentence ``key`` (French if ``lang`` is "fr", else English), ``{blanks}``
    filled from ``values``, with the structured payload the channels render, if any."""
    dispatcher.utter_message(text=words.say(key, lang, **values), json_message=json_message)
