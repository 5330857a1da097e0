"""Entity matching with spaCy blank pipelines, built from the directory's own data.

spaCy's blank English and French pipelines tokenise and lemmatise with
lookup tables (``spacy-lookups-data``: nothing is downloaded), so "refuges"
matches "refuge" and "showers" matches "shower". A ``PhraseMatcher`` over
accent-folded lemmas finds taxonomy synonyms, filter words and gazetteer
names; the directory's typo-tolerant matchers catch what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from bot import language as lang_detect
from bot import when
from directory.errors import UnknownPlace
from directory.places import get_gazetteer
from directory.taxonomy import get_taxonomy
from directory.text import fold

FILTERS_PATH = Path(__file__).resolve().parents[1] / "data" / "filters.yaml"


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int
    end: int
    exact: bool = True  # False: the directory's typo-tolerant fallback found it, not a phrase


@lru_cache(maxsize=2)
def pipeline(lang: str) -> Language:
    """A blank spaCy pipeline with a lookup lemmatiser (tables from spacy-lookups-data)."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def _lemmas(text: str, lang: str) -> str:
    return " ".join(fold(tok.lemma_ or tok.text) for tok in pipeline(lang)(text))


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
                        {fold(syn), _lemmas(syn, lang)})
        filters = yaml.safe_load(FILTERS_PATH.read_text(encoding="utf-8"))
        for code, words in filters.items():
            for word in words:
                phrases.setdefault(("filter", code), set()).update(
                    {fold(word), _lemmas(word, "en"), _lemmas(word, "fr")})
        for n, ((entity, value), texts) in enumerate(sorted(phrases.items())):
            key = f"{entity}:{value}"
            self.labels[key] = (entity, value)
            self.matcher.add(key, [self.nlp.make_doc(t) for t in texts if t])

    def find(self, text: str) -> list[Found]:
        """Entities in ``text``: longest non-overlapping phrase matches, then the place."""
        folded = fold(text)
        language = lang_detect.detect(text) or "en"
        found: list[Found] = []
        for variant in (folded, _lemmas(folded, language)):
            doc = self.nlp.make_doc(variant)
            spans = sorted(((s, e, self.labels[self.nlp.vocab.strings[m]])
                            for m, s, e in self.matcher(doc)), key=lambda x: (x[0] - x[1], x[0]))
            taken: set[int] = set()
            for start, end, (entity, value) in spans:
                if taken & set(range(start, end)):
                    continue
                taken.update(range(start, end))
                if not any(f.entity == entity and f.value == value for f in found):
                    found.append(Found(entity, value, doc[start].idx, doc[end - 1].idx + len(doc[end - 1])))
            if any(f.entity == "service_category" for f in found):
                break
        if not any(f.entity == "service_category" for f in found):
            for code in get_taxonomy().match(text):
                found.append(Found("service_category", code, 0, len(text), exact=False))
        place = self._place(text)
        if place:
            found.append(Found("place", place, 0, len(text)))
        moment = when.parse(text)
        if moment:
            found.append(Found("time", moment, 0, len(text)))
        return found

    @staticmethod
    def _place(text: str) -> str | None:
        """The gazetteer name of a place named after a locative word, or of the whole text."""
        folded = fold(text)
        markers = (" near ", " in ", " at ", " by ", " around ", " pres de ", " pres du ",
                   " proche de ", " a ", " au ", " dans ", " sur ", " coin ", " from ")
        candidates = [text]
        padded = f" {folded} "
        for marker in markers:
            idx = padded.rfind(marker)
            if idx >= 0:
                candidates.append(padded[idx + len(marker):].strip())
        for candidate in candidates:
            try:
                return get_gazetteer().resolve(candidate).display("en")
            except UnknownPlace:
                continue
        return None


@lru_cache(maxsize=1)
def get_matcher() -> Matcher:
    return Matcher()
