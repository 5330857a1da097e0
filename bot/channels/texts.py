"""The channels' own words, from ``bot/data/channel_messages.yaml``, in English or French.

Help-line numbers in them come from ``hotlines.yaml`` like every other reply.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.safety_replies import fill

PATH = Path(__file__).resolve().parent.parent / "data" / "channel_messages.yaml"
_VALUE = re.compile(r"\{([a-z_]+)\}")


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    for name, variants in data.items():
        if not isinstance(variants, dict) or set(variants) != {"en", "fr"}:
            raise ValueError(f"{PATH}: {name!r} needs exactly an 'en' and an 'fr' text")
    return data


def text(key: str, lang: str | None, **values: Any) -> str:
    """Message ``key`` in ``lang`` (English unless French), values and numbers filled in."""
    lang = "fr" if lang == "fr" else "en"
    template = _messages()[key][lang]
    filled = _VALUE.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values
                        else m.group(0), template)
    return fill(filled, lang)
