"""How one turn's replies look on each channel: the only place that knows.

Rasa hands a channel whole messages: ``text``, optional ``buttons`` and, for
search results, a ``custom`` payload with the listings as data (see
:func:`conversation.listings.structured`). From the same messages:

- Telegram gets HTML, one card per listing with when it was verified, and
  inline buttons (map, call, more, open now only, another area), split at
  Telegram's 4,096-character limit;
- SMS gets compact plain text and numbered choices ("Reply 1 for more…") in at
  most three segments. Accents are kept when they fit; otherwise the text is
  folded to GSM-7 (``ê`` → ``e``), which fits 160 characters a segment instead
  of 70; then the fewest listings are dropped, then the least urgent messages.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from conversation import language
from conversation.listings import results_of
from conversation.sms import GSM7_BASIC, GSM7_EXTENSION, is_gsm7, sms_segments
from safety.replies import say as text

TELEGRAM_LIMIT = 4096
SMS_MAX_SEGMENTS = 3
CALLBACK_BYTES = 64  # Telegram's limit on a button's callback data


@dataclass(frozen=True)
class Choice:
    """A button, or a numbered SMS choice. ``action`` is what picking it does:
    ``say:<text>`` sends the text as if typed; ``more``, ``open_now`` and ``area``
    are the results actions; ``map:<i>`` and ``call:<i>`` act on listing ``i``."""

    label: str
    action: str


@dataclass
class Rendered:
    """One Telegram message: HTML text and rows of buttons."""

    html: str
    rows: list[list[Choice]] = field(default_factory=list)


def reply_language(messages: list[dict[str, Any]]) -> str:
    """The language the assistant answered in (it keeps one per conversation)."""
    for message in messages:
        results = results_of(message)
        if results and results.get("lang") in ("en", "fr"):
            return str(results["lang"])
    return language.detect(" ".join(str(m.get("text") or "") for m in messages)) or "en"


def result_choices(lang: str) -> list[Choice]:
    return [Choice(text("button_more", lang), "more"),
            Choice(text("button_another_area", lang), "area"),
            Choice(text("button_open_now", lang), "open_now")]


def button_choices(message: dict[str, Any]) -> list[Choice]:
    return [Choice(str(b.get("title", "")), f"say:{b.get('payload', '')}")
            for b in message.get("buttons") or [] if b.get("payload")]


def split_text(raw: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in raw.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return [p.strip("\n") for p in pieces if p.strip()]


def distance(km: Any, lang: str) -> str:
    shown = f"{float(km):.1f} km"
    return shown.replace(".", ",") if lang == "fr" else shown


# ---- Telegram -------------------------------------------------------------

def telegram_card(n: int, item: dict[str, Any], lang: str) -> str:
    lines = [f"<b>{n}. {html.escape(str(item.get('name', '')))}</b>"]
    state = [html.escape(str(item.get("opening_state") or ""))]
    if item.get("distance_km") is not None:
        state.append(distance(item["distance_km"], lang))
    lines.append(" · ".join(s for s in state if s))
    for key in ("where", "phone", "beds"):
        if item.get(key):
            lines.append(html.escape(str(item[key])))
    if item.get("verified"):
        lines.append(f"<i>{html.escape(str(item['verified']))}</i>")
    return "\n".join(lines)


def telegram_result_rows(items: list[dict[str, Any]], lang: str,
                         start: int = 1) -> list[list[Choice]]:
    """Map and call buttons labelled with the card numbers; ``map:i``/``call:i`` index the page."""
    maps = [Choice(f"📍 {text('button_map', lang)} {start + i}", f"map:{i}")
            for i, item in enumerate(items) if item.get("lat") is not None]
    calls = [Choice(f"📞 {text('button_call', lang)} {start + i}", f"call:{i}")
             for i, item in enumerate(items) if item.get("phone")]
    more, area, open_now = result_choices(lang)
    return [row for row in (maps, calls, [more, open_now], [area]) if row]


def telegram(messages: list[dict[str, Any]]) -> list[Rendered]:
    """Telegram messages for one turn, each within 4,096 characters."""
    out: list[Rendered] = []
    for message in messages:
        results = results_of(message)
        if results:
            lang = str(results.get("lang") or "en")
            items = list(results.get("items") or [])
            start = int(results.get("start") or 1)
            cards = "\n\n".join(telegram_card(start + i, item, lang) for i, item in enumerate(items))
            out.append(Rendered(cards[:TELEGRAM_LIMIT], telegram_result_rows(items, lang, start)))
            continue
        body = str(message.get("text") or "").strip()
        if not body:
            continue
        # Escaping can lengthen text (& -> &amp;): leave room for it.
        pieces = [html.escape(p) for p in split_text(body, TELEGRAM_LIMIT // 5 * 4)]
        choices = [c for c in button_choices(message)
                   if len(c.action.encode("utf-8")) <= CALLBACK_BYTES]
        out.extend(Rendered(p) for p in pieces)
        if out and choices:
            out[-1].rows = [[c] for c in choices]
    return out


# ---- SMS ------------------------------------------------------------------

_GSM_LOOKALIKES = {"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-",
                   "—": "-", "…": "...", "·": "-", "œ": "oe", "Œ": "OE", "\u00a0": " ",
                   "\u202f": " "}


def fold_gsm7(raw: str) -> str:
    """GSM-7 text that reads the same: ``ê`` → ``e``, ``’`` → ``'``; other signs (emoji) stay."""
    out = []
    for c in raw:
        if c in GSM7_BASIC or c in GSM7_EXTENSION:
            out.append(c)
        elif c in _GSM_LOOKALIKES:
            out.append(_GSM_LOOKALIKES[c])
        else:
            base = unicodedata.normalize("NFD", c)[0]
            out.append(base if base in GSM7_BASIC else c)
    return "".join(out)


def sms_card(item: dict[str, Any], lang: str) -> str:
    parts = [str(item.get("name", "")), str(item.get("opening_state") or "")]
    if item.get("distance_km") is not None:
        parts.append(distance(item["distance_km"], lang))
    parts += [str(item[k]) for k in ("where", "phone", "beds") if item.get(k)]
    line = "- " + ", ".join(p for p in parts if p)
    if item.get("verified"):
        line += f" ({item['verified']})"
    return line


def sms_choices_line(choices: list[Choice], lang: str) -> str:
    listed = ", ".join(text("sms_choice", lang, n=i + 1, label=c.label.lower())
                       for i, c in enumerate(choices))
    return text("sms_choices", lang, choices=listed)


def _compose(blocks: list[Any], items: int, choices: list[Choice], lang: str) -> str:
    lines = []
    for block in blocks:
        if isinstance(block, list):
            lines += [sms_card(item, lang) for item in block[:items]]
        else:
            lines.append(block)
    if choices:
        lines.append(sms_choices_line(choices, lang))
    return "\n".join(lines)


def sms(messages: list[dict[str, Any]]) -> tuple[str, list[Choice]]:
    """One SMS of at most three segments for the turn, and the choices it numbers."""
    lang = reply_language(messages)
    blocks: list[Any] = []  # strings, or a list of result items
    choices: list[Choice] = []
    most = 0
    for message in messages:
        results = results_of(message)
        if results:
            items = list(results.get("items") or [])
            blocks.append(items)
            most = max(most, len(items))
            choices = result_choices(lang)
        elif str(message.get("text") or "").strip():
            blocks.append(str(message["text"]).strip())
            choices = button_choices(message) or choices
    for keep in range(len(blocks), 0, -1):
        for items in range(most, 0, -1) if most else [0]:
            composed = _compose(blocks[:keep], items, choices, lang)
            for candidate in (composed, fold_gsm7(composed)):
                if sms_segments(candidate) <= SMS_MAX_SEGMENTS:
                    return candidate, choices
    return truncate_sms(fold_gsm7(_compose(blocks[:1], 1, [], lang))), []


def truncate_sms(raw: str) -> str:
    """The longest prefix, ending in "...", that fits in three segments."""
    if sms_segments(raw) <= SMS_MAX_SEGMENTS:
        return raw
    budget = 3 * (153 if is_gsm7(raw) else 67)
    cut = raw[:budget - 3]
    while sms_segments(cut + "...") > SMS_MAX_SEGMENTS:
        cut = cut[:-1]
    return cut.rstrip() + "..."
