"""Count the SMS segments a text costs, the way a carrier splits it.

A crisis reply that arrives as five out-of-order fragments is hard to act on,
so replies are budgeted in segments, not characters. GSM-7 packs 160 septets
into one SMS (153 per part once it is split, the rest holds the join header);
one character outside GSM-7 (``â``, ``ç``, ``’``, any emoji) turns the whole
message into UCS-2, with 70 UTF-16 units in one SMS and 67 per part.
"""

from __future__ import annotations

# GSM 03.38 basic character set (the escape code 0x1B itself is not a character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (escape + character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    """True when every character fits the GSM-7 basic or extension table."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def _units(text: str) -> tuple[list[int], int, int]:
    """Cost of each character, and the single-message and per-part capacities."""
    if is_gsm7(text):
        return [2 if c in GSM7_EXTENSION else 1 for c in text], GSM7_SINGLE, GSM7_PART
    # UTF-16 code units: characters beyond the BMP (most emoji) take two.
    return [2 if ord(c) > 0xFFFF else 1 for c in text], UCS2_SINGLE, UCS2_PART


MAX_SEGMENTS = 3  # every SMS reply fits in this many segments


def sms_segments(text: str) -> int:
    """Number of SMS segments ``text`` is sent as (0 for an empty text).

    Splitting never cuts an escape pair or a surrogate pair in two, so a
    two-unit character that does not fit in a part starts the next one.
    """
    costs, single, part = _units(text)
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments


def sms_length(text: str) -> int:
    """Units the text costs: septets in GSM-7, UTF-16 code units in UCS-2."""
    return sum(_units(text)[0])
