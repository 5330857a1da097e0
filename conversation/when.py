"""Times people text ("now", "tonight", "tomorrow morning", "ce soir", "dimanche") as local datetimes."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from directory.schedules import localize
from directory.text import fold

_WEEKDAYS = {
    "monday": 0, "lundi": 0, "tuesday": 1, "mardi": 1, "wednesday": 2, "mercredi": 2,
    "thursday": 3, "jeudi": 3, "friday": 4, "vendredi": 4, "saturday": 5, "samedi": 5,
    "sunday": 6, "dimanche": 6,
}
_PATTERNS = (
    ("tomorrow_morning", r"\b(tomorrow|tmrw|tmr) (morning|am)\b|\bdemain matin\b"),
    ("tomorrow_evening", r"\b(tomorrow|tmrw|tmr) (night|evening)\b|\bdemain soir\b"),
    ("tomorrow", r"\b(tomorrow|tmrw|tmr|demain)\b"),
    ("tonight", r"\b(tonight|tonite|2nite|this evening|ce soir|cette nuit|a soir|a soer)\b"),
    ("this_morning", r"\b(this morning|ce matin)\b"),
    ("now", r"\b(now|right now|rn|asap|maintenant|tout de suite|drette)\b"),
)


def parse(text: str) -> str | None:
    """A normalised time key ("now", "tonight", "sunday", …) named in the text, if any."""
    folded = fold(text)
    for key, pattern in _PATTERNS:
        if re.search(pattern, folded):
            return key
    for word in folded.split():
        if word in _WEEKDAYS:
            return next(k for k, v in _WEEKDAYS.items() if v == _WEEKDAYS[word] and k.isascii()
                        and k.endswith("day"))
    return None


def resolve(key: str | None, now: datetime | None = None) -> datetime:
    """The local moment a time key stands for; unknown or missing keys mean now."""
    current = localize(now)
    today = current.date()
    at = {
        "tonight": time(21), "this_morning": time(9), "tomorrow": time(12),
        "tomorrow_morning": time(9), "tomorrow_evening": time(21),
    }
    if key in ("tonight", "this_morning"):
        moment = datetime.combine(today, at[key], current.tzinfo)
        return max(moment, current)
    if key in ("tomorrow", "tomorrow_morning", "tomorrow_evening"):
        return datetime.combine(today + timedelta(days=1), at[key], current.tzinfo)
    if key in _WEEKDAYS:
        ahead = (_WEEKDAYS[key] - today.weekday()) % 7
        if ahead == 0:
            return current
        return datetime.combine(today + timedelta(days=ahead), time(12), current.tzinfo)
    return current
