"""English and French text the directory renders, read from ``data/messages.yaml``."""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from directory.errors import DataFileError

LANGS = ("en", "fr")
PATH = Path(__file__).parent / "data" / "messages.yaml"


@lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    try:
        data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{PATH}: {exc}") from exc
    for key, value in data.items():
        if not (isinstance(value, dict) and all(lang in value for lang in LANGS)):
            raise DataFileError(f"{PATH}: {key} needs 'en' and 'fr'")
    return data


def lang_or_default(lang: str | None) -> str:
    return lang if lang in LANGS else "en"


def t(key: str, lang: str = "en", **values: object) -> str:
    """The message ``key`` in ``lang``, with ``{placeholders}`` filled."""
    return str(_messages()[key][lang_or_default(lang)]).format(**values)


def clock(value: time, lang: str = "en") -> str:
    """24-hour clock: 19:00 in English, 19 h or 8 h 30 in French."""
    if lang_or_default(lang) == "fr":
        return f"{value.hour} h" + (f" {value.minute:02d}" if value.minute else "")
    return f"{value.hour:02d}:{value.minute:02d}"


def weekday(index: int, lang: str = "en") -> str:
    return str(_messages()["weekdays"][lang_or_default(lang)][index])


def short_date(value: date, lang: str = "en") -> str:
    month = _messages()["months"][lang_or_default(lang)][value.month - 1]
    return f"{value.day} {month}" if lang_or_default(lang) == "fr" else f"{month} {value.day}"
