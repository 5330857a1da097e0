"""The channels' own words, from ``bot/data/channel_messages.yaml``, in English or French.

Help-line numbers in them come from ``hotlines.yaml`` like every other reply.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.bilingual import load
from safety.replies import fill

PATH = Path(__file__).resolve().parent.parent / "data" / "channel_messages.yaml"
_VALUE = re.compile(r"\{([a-z_]+)\}")


def text(key: str, lang: str | None, **values: Any) -> str:
    """Message ``key`` in ``lang`` (English unless French), values and numbers filled in."""
    lang = "fr" if lang == "fr" else "en"
    template = load(PATH)[key][lang]
    filled = _VALUE.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values
                        else m.group(0), template)
    return fill(filled, lang)
