"""The reply when nothing else answers: 2-1-1 for help, 911 and 9-8-8 if urgent.

Built from ``safety/data/hotlines.yaml`` by ``safety.replies`` and cached, so
it works with the action server, the database and the model all down.
"""

from __future__ import annotations

from functools import lru_cache

from safety.replies import help_reply


@lru_cache(maxsize=2)
def fallback_text(lang: str = "en") -> str:
    return help_reply("fallback", "fr" if lang == "fr" else "en")
