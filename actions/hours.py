"""Hours and details of a service named, picked by rank, or just shown."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import words
from actions.base import DirectoryAction, last_results
from actions.config import freshness
from actions.replies import say
from conversation import when
from conversation.sms import MAX_SEGMENTS, sms_segments
from directory.listing import WeekHours, hours
from directory.lookup import distinctive, find_by_name
from directory.text import fold

_LAST = -1
_ORDINALS = {
    "first": 1, "1st": 1, "premier": 1, "premiere": 1, "1er": 1, "1re": 1, "1ere": 1,
    "second": 2, "2nd": 2, "deuxieme": 2, "seconde": 2, "2e": 2, "2eme": 2,
    "third": 3, "3rd": 3, "troisieme": 3, "3e": 3, "3eme": 3,
    "fourth": 4, "4th": 4, "quatrieme": 4, "4e": 4, "4eme": 4,
    "fifth": 5, "5th": 5, "cinquieme": 5, "5e": 5, "5eme": 5,
    "last": _LAST, "dernier": _LAST, "derniere": _LAST,
}
_ARTICLES = {"the", "le", "la", "l", "du", "au"}
_ONE = {"one", "un", "une"}
# "number 2", "no 2", "option 2", "numéro 2", "#2" ("#" is read before folding drops it).
_NUMBERED = re.compile(r"\b(?:number|num|no|nr|option|result|choice|numero|choix) (\d{1,2})\b")
_HASH = re.compile(r"#\s*(\d{1,2})\b")


def rank_named(text: str) -> int | None:
    """The rank a message picks from the results shown ("the second one", "le 2e", "#3").

    An ordinal counts only with an article or "one" and when no name word follows,
    so "second wind" and "the first meal" are not ranks.
    """
    hashed = _HASH.search(text)
    if hashed:
        return int(hashed.group(1))
    folded = fold(text)
    numbered = _NUMBERED.search(folded)
    if numbered:
        return int(numbered.group(1))
    words = folded.split()
    for i, word in enumerate(words):
        if word not in _ORDINALS:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if ((i > 0 and words[i - 1] in _ARTICLES) or after in _ONE) and not distinctive(after):
            return _ORDINALS[word]
    return None


def shown_at(tracker: Tracker, rank: int) -> str | None:
    """The id of the result at ``rank`` in the last results the person was sent.

    Ranks are the numbers shown (page two starts at 4), or places on the page
    ("the first one" of page two is number 4). The listings travel in the custom
    payload of the bot's results message, so the tracker keeps them.
    """
    payload = last_results(tracker)
    if payload is None:
        return None
    ids = [str(item["id"]) for item in payload.get("items", [])]
    start = int(payload.get("start", 1))
    if rank == _LAST:
        return ids[-1] if ids else None
    if start <= rank < start + len(ids):
        return ids[rank - start]
    return ids[rank - 1] if 1 <= rank <= len(ids) else None


def week_text(week: list[tuple[str, str]], closed: str) -> str:
    """Days with the same hours said once, closed days left out (the state line says when
    it opens next): "Monday, Wednesday, Friday 10:00-14:00; Saturday-Sunday 10:00-13:00".

    The full week, one day a line, runs past three SMS segments in French.
    """
    days: dict[str, list[int]] = {}
    for index, (_, spans) in enumerate(week):
        if spans != closed:
            days.setdefault(spans, []).append(index)
    return "; ".join(f"{_day_runs(indexes, week)} {spans}" for spans, indexes in days.items())


def _day_runs(indexes: list[int], week: list[tuple[str, str]]) -> str:
    """Weekday numbers as names, consecutive ones as a range: "Monday-Friday, Sunday"."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return ", ".join(week[run[0]][0] if len(run) == 1 else f"{week[run[0]][0]}-{week[run[-1]][0]}"
                     for run in runs)


def hours_text(week: WeekHours, lang: str) -> str:
    """State (with a closure's reason), week, where, phone, beds free by a fresh count,
    and how fresh the listing is: at most 3 SMS. The beds go first if it is too long
    (the phone number is there to ask); an old count is not said at all here."""
    listing = week.listing
    beds = listing.beds(lang) if listing.beds_fresh else ""
    text = _hours_lines(week, lang, beds)
    if beds and sms_segments(text) > MAX_SEGMENTS:
        return _hours_lines(week, lang, "")
    return text


def _hours_lines(week: WeekHours, lang: str, beds: str) -> str:
    listing = week.listing
    contact = ", ".join(part for part in (listing.where(lang), listing.phone, beds) if part)
    verified = listing.verified(lang)
    if verified:
        contact = f"{contact} ({verified})" if contact else verified
    lines = (f"{listing.title(lang)}: {listing.state.text(lang)}",
             week_text(week.week, words.say("closed_day", lang)), contact)
    return "\n".join(line for line in lines if line)


class ActionServiceHours(DirectoryAction):
    """Say when a service is open and where: the one named, else the one picked by rank
    from the last results, else the last one shown."""

    def name(self) -> str:
        return "action_service_hours"

    def act(self, session: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
            lang: str) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        service_id = find_by_name(session, text)
        if service_id is None:
            rank = rank_named(text)
            service_id = (tracker.get_slot("last_service_id") if rank is None
                          else shown_at(tracker, rank))
        if not service_id:
            say(dispatcher, "ask_which_service", lang)
            return []
        week = hours(session, service_id, when.resolve(when.parse(text)), lang,
                     policy=freshness())
        say(dispatcher, "hours", lang, hours=hours_text(week, lang))
        return [SlotSet("last_service_id", service_id)]
