"""Tell French from English in short, messy texts, and say when a switch is asked for.

A message only counts as clearly in one language when its marker words lean
that way by a margin; short or mixed texts return ``None`` and the
conversation keeps its language.
"""

from __future__ import annotations

import re

from directory.text import fold

_FR = set("""je j tu il elle on nous vous ils elles le la les un une des du de au aux et ou mais donc
ne pas plus rien jamais personne est suis sont ai as avons avez ont fait faire veux voudrais peux
besoin cherche ou quand comment pourquoi quoi qui que quel quelle ce cette ces mon ma mes ton ta
tes son sa ses notre votre leur ici la bas ce soir demain matin aujourd hui maintenant dormir manger
faim douche refuge aide merci bonjour salut allo oui non svp stp chu jsuis pis ben tsé vraiment
avec sans pour dans sur chez pres loin ouvert ferme heure heures dimanche lundi mardi mercredi
jeudi vendredi samedi logement travail emploi sevrage trousse""".split())
_EN = set("""i im i'm you he she we they the a an and or but not no nothing never is am are was
were have has had do does did want need looking for where when how why what who which this that
these my your his her our their here there tonight tomorrow morning today now sleep eat hungry
shower shelter help thanks thank hello hi hey yes please pls u ur with without in on at near
open closed hours sunday monday tuesday wednesday thursday friday saturday housing job work detox
bed food can could would should get got any some""".split())
_ACCENTED = re.compile(r"[éèêàâçôûùëïœ]")
# Asking to be answered in a language, not mentioning it: "a French-speaking doctor",
# "English classes" or "un médecin qui parle anglais" ask for nothing.
_POLITE = r"(please|pleas|pls|plz+|svp|stp|only|seulement|thanks?|thank you|merci)"
_ASK_FR = re.compile(r"\b(en|in) fran[cç]ais\b|\bparle[rz]? fran[cç]ais\b|"
                     r"\b(to|in|speak|talk) french\b|"
                     rf"^\W*(french|fran[cç]ais)\W*({_POLITE}\W*)*$", re.I)
_ASK_EN = re.compile(r"\b(to|in|speak|talk) english\b|\ben anglais\b|"
                     r"\b(tu|vous|on) parle[sz]? anglais\b|\bparler anglais\b|^\W*parle[rz]? anglais\b|"
                     rf"\benglish {_POLITE}|^\W*(english|anglais)\W*({_POLITE}\W*)*$", re.I)


def requested(text: str) -> str | None:
    """The language a person explicitly asks for ("en français", "English please")."""
    if _ASK_FR.search(text):
        return "fr"
    if _ASK_EN.search(text):
        return "en"
    return None


def detect(text: str) -> str | None:
    """'fr' or 'en' when the text clearly leans one way, else ``None``."""
    asked = requested(text)
    if asked:
        return asked
    words = fold(text).split()
    fr = sum(w in _FR for w in words) + 2 * len(_ACCENTED.findall(text.lower()))
    en = sum(w in _EN for w in words)
    if fr >= 1 and fr >= 2 * en and fr - en >= 1:
        return "fr"
    if en >= 1 and en >= 2 * fr and en - fr >= 1:
        return "en"
    return None
