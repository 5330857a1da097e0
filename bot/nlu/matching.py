"""Entity matching with spaCy blank pipelines, built from the directory's own data.

spaCy's blank English and French pipelines tokenise and lemmatise with
lookup tables (``spacy-lookups-data``: nothing is downloaded), so "refuges"
matches "refuge" and "soupes populaires" matches "soupe populaire". One
``PhraseMatcher`` over accent-folded text finds taxonomy synonyms, filter words
and gazetteer names and aliases; where matches overlap the longest wins, and two
streets joined by "and" or "et" are read as their intersection. The directory's
typo-tolerant matchers catch what is left: a need with a typo, and a place with
a typo after a locative word ("near", "à") or given as a short answer on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from conversation import language as lang_detect
from conversation import when
from directory.errors import UnknownPlace
from directory.places import CONNECTOR_WORDS, get_gazetteer
from directory.taxonomy import get_taxonomy
from directory.text import fold

FILTERS_PATH = Path(__file__).resolve().parents[1] / "data" / "filters.yaml"
LOCATIVES = (" near ", " in ", " at ", " by ", " around ", " pres de ", " pres du ",
             " proche de ", " a ", " au ", " dans ", " sur ", " coin ", " from ")
# Up to this many words, a message naming no need may be a place on its own, typos and all
# ("sandy hil", "K1N 5M3"). A longer one ("any place is fine") is a sentence, not a place.
SHORT_ANSWER = 4


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int
    end: int
    exact: bool = True  # False: the directory's typo-tolerant fallback found it, not a phrase


@dataclass(frozen=True)
class _Span:
    """A phrase match, in tokens. A place's value is its gazetteer id, or empty for words that
    name no place to search around: the whole region ("Ottawa"), or two streets that do not
    cross in the gazetteer."""

    start: int
    end: int
    entity: str
    value: str


@lru_cache(maxsize=2)
def pipeline(lang: str) -> Language:
    """A blank spaCy pipeline with a lookup lemmatiser (tables from spacy-lookups-data)."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def lemmas(text: str, lang: str) -> str:
    """Folded lemmas of ``text``.

    Lemmatised before folding, since the lookup tables are keyed by accented forms
    ("hébergements" is there, "hebergements" is not). A word the table does not know
    that looks plural loses its final s, so accent-free plurals still match.
    """
    lemmas = []
    for token in pipeline(lang)(text.lower()):
        word = fold(token.text)
        lemma = fold(token.lemma_) or word
        if lemma == word and len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            lemma = word[:-1]
        if lemma:
            lemmas.append(lemma)
    return " ".join(lemmas)


def _longest_first(spans: list[_Span]) -> list[_Span]:
    """The longest spans that do not overlap, earlier first among equals."""
    chosen: list[_Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if not taken & set(range(span.start, span.end)):
            taken.update(range(span.start, span.end))
            chosen.append(span)
    return chosen


def _crossings(doc: Doc, spans: list[_Span]) -> list[_Span]:
    """Two street names joined by a connector word (or by "&", which folding drops) as one span,
    longer than either street, so "Rideau and King Edward" is the corner, not "Rideau St"."""
    gazetteer = get_gazetteer()
    streets = [s for s in spans if s.entity == "place" and s.value
               and gazetteer.places[s.value].kind == "street"]
    joined = []
    for a in streets:
        for b in streets:
            if a.value != b.value and _joined(doc, a, b):
                crossing = gazetteer.crossing(a.value, b.value)
                joined.append(_Span(a.start, b.end, "place", crossing.id if crossing else ""))
    return joined


def _joined(doc: Doc, a: _Span, b: _Span) -> bool:
    """Whether ``b`` follows ``a`` with nothing or one connector word between them."""
    between = doc[a.end:b.start]
    return a.end <= b.start and len(between) <= 1 and all(
        t.text in CONNECTOR_WORDS for t in between)


def _found(doc: Doc, span: _Span, value: str) -> Found:
    return Found(span.entity, value, doc[span.start].idx,
                 doc[span.end - 1].idx + len(doc[span.end - 1]))


class Matcher:
    """Finds service categories, filters and places in a message."""

    def __init__(self) -> None:
        self.nlp = pipeline("en")  # tokenises the folded text; lemmas come from both languages
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.labels: dict[str, tuple[str, str]] = {}
        phrases: dict[tuple[str, str], set[str]] = {}
        for code, cat in get_taxonomy().by_code.items():
            for lang in ("en", "fr"):
                for syn in (*cat.synonyms[lang], cat.label[lang]):
                    phrases.setdefault(("service_category", code), set()).update(
                        {fold(syn), lemmas(syn, lang)})
        filters = yaml.safe_load(FILTERS_PATH.read_text(encoding="utf-8"))
        for code, words in filters.items():
            for word in words:
                phrases.setdefault(("filter", code), set()).update(
                    {fold(word), lemmas(word, "en"), lemmas(word, "fr")})
        for name, place_id in get_gazetteer().aliases().items():
            phrases.setdefault(("place", place_id), set()).add(name)
        phrases[("place", "")] = set(get_gazetteer().region_names)
        for (entity, value), texts in sorted(phrases.items()):
            key = f"{entity}:{value}"
            self.labels[key] = (entity, value)
            self.matcher.add(key, [self.nlp.make_doc(t) for t in texts if t])

    def find(self, text: str) -> list[Found]:
        """Entities in ``text``: needs and filters, at most one place, and a time."""
        doc = self.nlp.make_doc(fold(text))
        spans = _longest_first(self._spans(doc))
        found = self._needs(doc, [s for s in spans if s.entity != "place"], [])
        if not any(f.entity == "service_category" for f in found):
            found = self._lemma_needs(text, found)
        if not any(f.entity == "service_category" for f in found):
            for code in get_taxonomy().match(text):
                found.append(Found("service_category", code, 0, len(text), exact=False))
        place = self._place(text, doc, spans, found)
        if place:
            found.append(place)
        moment = when.parse(text)
        if moment:
            found.append(Found("time", moment, 0, len(text)))
        return found

    def _spans(self, doc: Doc) -> list[_Span]:
        spans = [_Span(start, end, *self.labels[self.nlp.vocab.strings[match_id]])
                 for match_id, start, end in self.matcher(doc)]
        return spans + _crossings(doc, spans)

    @staticmethod
    def _needs(doc: Doc, spans: list[_Span], found: list[Found]) -> list[Found]:
        """``found`` and the categories and filters of ``spans`` it does not have yet."""
        out = list(found)
        for span in spans:
            if not any(f.entity == span.entity and f.value == span.value for f in out):
                out.append(_found(doc, span, span.value))
        return out

    def _lemma_needs(self, text: str, found: list[Found]) -> list[Found]:
        """Needs said in a plural or inflected form ("soupes populaires", "me doucher"), in the
        detected language, or in English then French when detection is unsure."""
        detected = lang_detect.detect(text)
        for lang in (detected,) if detected else ("en", "fr"):
            doc = self.nlp.make_doc(lemmas(text, lang))
            found = self._needs(doc, _longest_first(
                [s for s in self._spans(doc) if s.entity != "place"]), found)
            if any(f.entity == "service_category" for f in found):
                break
        return found

    def _place(self, text: str, doc: Doc, spans: list[_Span], found: list[Found]) -> Found | None:
        """The longest gazetteer phrase in the message, else a place typed loosely."""
        places = [s for s in spans if s.entity == "place"]
        known = [s for s in places if s.value]
        if known:
            best = max(known, key=lambda s: s.end - s.start)
            return _found(doc, best, get_gazetteer().places[best.value].display("en"))
        if places:  # the region, or streets that do not cross: say nothing rather than guess
            return None
        return _typed_place(text, doc.text, found)


def _typed_place(text: str, folded: str, found: list[Found]) -> Found | None:
    """A place the phrases missed (a typo, a full postal code, a shared location), read by the
    gazetteer's typo-tolerant resolver: the words after a locative word, unless they name a
    need ("need a food bank" is no Bank St), or a short message that names no need at all."""
    need_end = max((f.end for f in found if f.entity == "service_category"), default=0)
    candidates = []
    padded = f" {folded} "
    for marker in LOCATIVES:
        idx = padded.rfind(marker)
        if idx >= 0 and idx + len(marker) - 1 >= need_end:
            candidates.append(padded[idx + len(marker):].strip())
    if not need_end and len(folded.split()) <= SHORT_ANSWER:
        candidates.append(text)
    for candidate in candidates:
        try:
            return Found("place", get_gazetteer().resolve(candidate).display("en"), 0, len(text))
        except UnknownPlace:
            continue
    return None


@lru_cache(maxsize=1)
def get_matcher() -> Matcher:
    return Matcher()
