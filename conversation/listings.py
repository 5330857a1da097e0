"""Turns directory listings into reply text. Channel-specific rendering builds on this.

One structured result (``Listing``) becomes compact lines: name, opening
state, distance or area, address, phone, beds free (or unknown), and how fresh
it is. Safe shelters show only their area and intake line.
"""

from __future__ import annotations

from typing import Any

from directory.listing import Listing
from words import say


def listing_line(n: int, listing: Listing, lang: str) -> str:
    parts = [f"{n}. {listing.title(lang)}", listing.state.text(lang)]
    if listing.distance_km is not None:
        parts.append(f"{listing.distance_km:.1f} km")
    where = listing.where(lang)
    if where:
        parts.append(where)
    if listing.phone:
        parts.append(listing.phone)
    beds = listing.beds(lang)
    if beds:
        parts.append(beds)
    verified = listing.verified(lang)
    if verified:
        parts.append(f"({verified})")
    return " · ".join(parts)


def results_text(listings: list[Listing], lang: str, start: int = 1) -> str:
    return "\n".join(listing_line(start + i, li, lang) for i, li in enumerate(listings))


def next_opening_text(listing: Listing | None, lang: str) -> str:
    if listing is None:
        return ""
    return say("opens_next", lang, name=listing.title(lang), state=listing.state.text(lang))


def structured(listings: list[Listing], lang: str, start: int = 1) -> dict[str, Any]:
    """The machine-readable form channels render as buttons, venues or numbered choices.

    Each item is the directory's JSON plus the words every channel shows as they
    are (opening state, where, when verified), so no channel re-derives them.
    """
    items = [{**li.to_json(lang), "where": li.where(lang), "verified": li.verified(lang),
              "beds": li.beds(lang)} for li in listings]
    return {"waypoint": {"type": "results", "lang": lang, "start": start, "items": items}}


def results_of(message: dict[str, Any]) -> dict[str, Any] | None:
    """The listings payload of one assistant message (see :func:`structured`), if any.

    Both sides read it: the actions find the last results in the tracker, and the
    channels draw them as cards or numbered SMS lines."""
    custom = message.get("custom")
    payload = custom.get("waypoint") if isinstance(custom, dict) else None
    if isinstance(payload, dict) and payload.get("type") == "results":
        return payload
    return None
