"""Find a service a person names in their own words ("the soup kitchen on Murray").

A question about hours is mostly words about time ("does it open at night?",
"c'est ouvert demain matin?"), and many service names contain such words
("Night Shelter", "Laundry Mornings", "Second Wind"). Matching any word picked
a stranger's service over the one just shown, so a name counts only when the
message's *distinctive* words point at one service and no other:

- most of its name: at least two distinctive name words, and at least half of
  them ("Cobourg foot care", "refuge Maison du Havre");
- or a name word and its street ("the night shelter on Murray");
- or its kind of service and its street ("the soup kitchen on Murray").

Anything weaker, or a tie between services, is no reference at all (``None``),
and the caller falls back to the service it last showed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from directory.models import Address, Service, ServiceAtLocation, ServiceCategory
from directory.taxonomy import get_taxonomy
from directory.text import edit_distance, fold, typo_budget

# Words that never name a service, in both languages and accent-free (as ``fold`` leaves
# them): asking, time of day, rank ("the second one"), courtesy and street types.
_IGNORED = frozenset("""
    a an the is are was be been it its they them their there here this that these those what
    whats when where which who how why do does did can could will would should may might i im
    me my you your we our us to of in on at by for from with about and or but so if not no yes
    ok okay please pls plz thanks thank hey hi hello tell know want need get go going any some
    all just still also again same other another one ones place spot thing info information
    detail details address phone number num call option result results choice listing
    open opens opened opening close closes closed closing until till til time times hour hours
    schedule late later early earlier night nights tonight tonite morning mornings evening
    evenings afternoon noon midnight day days today tomorrow tmrw tmr week weekend weekday
    weekdays now right asap rn monday tuesday wednesday thursday friday saturday sunday mon tue
    tues wed thu thur thurs fri sat first second third fourth fifth last next 1st 2nd 3rd 4th
    5th
    le la les un une des de du au aux et ou est ce ca cest ces cet cette qu que quoi qui quel
    quelle quels quelles quand comment combien pourquoi il elle ils elles on je tu vous nous
    moi mon ma mes votre vos leur leurs se en dans sur pour par avec chez vers pas ne oui non
    svp stp merci bonjour allo salut peux peut pouvez savoir dire dites veux voudrais faut ya
    celui celle ceux endroit lieu adresse telephone numero infos encore aussi autre meme
    ouvert ouverte ouverts ouvertes ouvre ouvrent ouverture ferme fermee fermes ferment
    fermeture heure heures horaire horaires jusqu jusqua tard tot soir soiree soirs nuit nuits
    matin matins matinee matinees midi minuit apres aprem jour jours journee aujourd hui
    aujourdhui demain semaine maintenant lundi mardi mercredi jeudi vendredi samedi dimanche
    premier premiere deuxieme seconde troisieme quatrieme cinquieme dernier derniere 1er 1re
    2e 2eme 3e 3eme prochain prochaine
    street st rue avenue ave road rd boulevard blvd chemin promenade drive dr crescent cres
    saint ste sainte way lane bureau suite
""".split())
# More candidates than any real name shares words with; a cap, not a ranking.
_MAX_CANDIDATES = 2000
# Words after which a street name comes: "on Murray", "sur Murray", "rue Murray".
_STREET_CUES = frozenset("on sur at near corner coin pres rue street st avenue ave".split())


@dataclass(frozen=True)
class _Site:
    """A service at one street, as the words that can name it."""

    service_id: str
    names: tuple[frozenset[str], ...]  # English, then French
    street: frozenset[str]


def distinctive(text: str) -> list[str]:
    """The words of ``text`` that could name a service: no filler, numbers or tiny words."""
    return [w for w in fold(text).split()
            if len(w) >= 3 and not w.isdigit() and w not in _IGNORED
            and not (w.endswith("s") and w[:-1] in _IGNORED)]


def _same(word: str, name_word: str) -> bool:
    """The same word, allowing a typo or a plural in longer words ("harbor", "shower")."""
    if word == name_word:
        return True
    budget = typo_budget(name_word)
    return budget > 0 and len(word) >= 5 and edit_distance(word, name_word, budget) <= budget


def _matched(words: list[str], of: frozenset[str],
             taken: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """The message words (not already ``taken``) that match a word of ``of``."""
    return {w for w in words if w not in taken and any(_same(w, n) for n in of)}


def _score(site: _Site, words: list[str], kind_here: bool,
           streets_named: set[str]) -> tuple[int, bool]:
    """How many message words point at ``site``, and whether they are enough to name it.

    A street the message names ("on Murray") that is not this site's rules it out.
    """
    if streets_named and not streets_named & site.street:
        return 0, False
    best, enough = 0, False
    for name in site.names:
        named = _matched(words, name)
        street = _matched(words, site.street, named)
        most_of_name = len(named) >= 2 and 2 * len(named) >= len(name)
        best = max(best, len(named) + len(street) + int(kind_here and bool(street)))
        enough = enough or most_of_name or bool(street and (named or kind_here))
    return best, enough


def _candidates(words: list[str]) -> list[ColumnElement[bool]]:
    """SQL conditions that keep only services sharing a piece of some word in their name
    or street, so a large directory is not scored row by row in Python. A word's first
    and last four letters both serve: a typo or an accent ("Étoile", which the
    database's lower() keeps) rarely spoils both."""
    pieces = {piece for w in words for piece in (w[:4], w[-4:])}
    columns = (Service.name, Service.name_fr, Address.address_1)
    return [func.lower(column).like(f"%{piece}%") for column in columns for piece in pieces]


def find_by_name(session: Session, text: str) -> str | None:
    """The id of the one service ``text`` names, or ``None`` when it names none for sure.

    The service must be named well enough and better than any other: "Harbour House"
    alone names five services, and "supervised consumption" two, so neither is a name.
    Safe shelters are never found by name: only their intake line gives them out.
    """
    words = distinctive(text)
    if not words:
        return None
    rows = session.execute(
        select(Service.id, Service.name, Service.name_fr, Address.address_1)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .outerjoin(Address, Address.location_id == ServiceAtLocation.location_id)
        .where(Service.confidential.is_(False), or_(*_candidates(words)))
        .limit(_MAX_CANDIDATES)).all()
    sites = [_Site(service_id,
                   (frozenset(distinctive(name)), frozenset(distinctive(name_fr or name))),
                   frozenset(distinctive(street or "")))
             for service_id, name, name_fr, street in rows]
    folded = fold(text).split()
    streets = frozenset().union(*(site.street for site in sites))
    streets_named = {after for before, after in zip(folded, folded[1:])
                     if before in _STREET_CUES and after in streets}
    kinds = get_taxonomy().match(" ".join(words))
    of_kind = set(session.scalars(select(ServiceCategory.service_id)
                                  .where(ServiceCategory.code.in_(kinds)))) if kinds else set()
    scores: dict[str, tuple[int, bool]] = {}
    for site in sites:
        scores[site.service_id] = max(scores.get(site.service_id, (0, False)),
                                      _score(site, words, site.service_id in of_kind,
                                             streets_named))
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1][0] == 0 or not ranked[0][1][1]:
        return None
    if len(ranked) > 1 and ranked[1][1][0] == ranked[0][1][0]:
        return None
    return ranked[0][0]
