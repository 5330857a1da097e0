"""The directory's clock, dates and weekday names in English or French.

Its sentences are in the catalogue (``words/directory.yml``), said with ``words.say``.
"""

from __future__ import annotations

from datetime import date, time

from words import sequence

LANGS = ("en", "fr")


def lang_or_default(lang: str | None) -> str:
    return lang if lang in LANGS else "en"


def clock(value: time, lang: str = "en") -> str:
    """24-hour clock: 19:00 in English, 19 h or 8 h 30 in French."""
    if lang_or_default(lang) == "fr":
        return f"{value.hour} h" + (f" {value.minute:02d}" if value.minute else "")
    return f"{value.hour:02d}:{value.minute:02d}"


def weekday(index: int, lang: str = "en") -> str:
    return str(sequence("weekdays", lang)[index])


def short_date(value: date, lang: str = "en") -> str:
    month = sequence("months", lang)[value.month - 1]
    return f"{value.day} {month}" if lang_or_default(lang) == "fr" else f"{month} {value.day}"
