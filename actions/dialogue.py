"""What the conversation so far means for the next search, read from slots only.

Rasa keeps the state (domain/core.yml): ``needs`` holds the needs the newest message
naming any named, until a search answers them; ``offer`` says what a bare "yes" now
accepts (its slot mappings set it from the crisis intents and end it on any other
message); ``filters`` and ``kept_filters`` hold what narrows a search. What Rasa's
slot mappings cannot express lives here: which need comes first, and how filters
said over several messages add up.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from directory.search import Filters
from directory.taxonomy import CODES, get_taxonomy

# Need order when several are named at once: a bed and medical first, then food and
# hygiene, then support, then stability.
FIRST = ("shelter", "primary_care", "withdrawal_management", "naloxone", "harm_reduction",
         "crisis_line", "meals", "drop_in", "shower", "outreach")
POPULATION_FILTERS = ("women", "men", "youth", "families", "couples")
# The ``offer`` values set by the emergency replies that end by offering shelters
# (safety/replies.py): a "yes" right after one takes the offer, narrowed as promised.
CRISIS_OFFERS = {"shelter_confidential": ["confidential"],
                 "shelter_youth": ["youth", "group_only"]}
NEXT_STEP = "next_step"  # the ``offer`` after "I can also find support or housing"
NO_OFFER = "none"


def need_order(code: str) -> tuple[int, int]:
    stage = ("safety", "support", "stability").index(get_taxonomy().get(code).stage)
    return (FIRST.index(code) if code in FIRST else len(FIRST) + stage, CODES.index(code))


def named_needs(tracker: Tracker) -> list[str]:
    """The needs named since the last search, most urgent first."""
    codes = {code for code in tracker.get_slot("needs") or [] if code in CODES}
    return sorted(codes, key=need_order)


def said_yes(tracker: Tracker) -> bool:
    return tracker.latest_message.get("intent", {}).get("name") == "affirm"


def accepted_offer(tracker: Tracker) -> str | None:
    """The offer this message accepts: a yes right after it, else None."""
    offer = tracker.get_slot("offer")
    return offer if said_yes(tracker) and offer and offer != NO_OFFER else None


def filters_from(values: list[str] | None) -> Filters:
    values = values or []
    population = next((v for v in values if v in POPULATION_FILTERS), None)
    return Filters(population=population, walk_in="walk_in" in values, no_id="no_id" in values,
                   free="free" in values, pets="pets" in values, open_now="open_now" in values,
                   confidential="confidential" in values, group_only="group_only" in values)


def person_filters(tracker: Tracker) -> list[str]:
    """The filters said so far, added up: "women only", then "with my dog", is both. The
    ``filters`` slot holds only the latest message that named any; ``kept_filters`` what
    the last search used. A group named anew replaces the group named before."""
    kept = list(tracker.get_slot("kept_filters") or [])
    latest = list(tracker.get_slot("filters") or [])
    if any(v in POPULATION_FILTERS for v in latest):
        kept = [v for v in kept if v not in POPULATION_FILTERS and v != "group_only"]
    return kept + [v for v in latest if v not in kept]
