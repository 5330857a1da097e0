"""YAML files of texts kept in both languages: ``{key: {en: ..., fr: ...}}``.

The channels' own words (``bot/data/channel_messages.yaml``) and the replies only actions
send (``actions/replies.yml``) are such files; a key without both texts would let a
French speaker get English, or nothing, so loading refuses it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=None)
def load(path: Path) -> dict[str, dict[str, str]]:
    """Every text by key, read once per file; refused unless each has an 'en' and an 'fr'."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, texts in data.items():
        if not isinstance(texts, dict) or set(texts) != {"en", "fr"}:
            raise ValueError(f"{path}: {key!r} needs exactly an 'en' and an 'fr' text")
    return data
