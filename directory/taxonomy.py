"""The canonical category codes, their labels, synonyms, journey stage and parent.

The list itself is data (``data/taxonomy.yaml``), validated when first loaded:
a broken file stops start-up with a message, not a wrong answer later.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from directory.datafile import read_yaml, require
from directory.errors import UnknownCategory
from directory.text import FuzzyTable, fold

CODES = (
    "shelter", "drop_in", "meals", "shower", "naloxone", "harm_reduction", "primary_care",
    "mental_health", "addiction_treatment", "raam_clinic", "withdrawal_management",
    "residential_treatment", "transitional_housing", "supportive_housing", "income_support",
    "employment", "case_management", "outreach", "peer_support", "life_skills", "crisis_line",
)
STAGES = ("safety", "support", "stability")
LANGS = ("en", "fr")
DEFAULT_PATH = Path(__file__).parent / "data" / "taxonomy.yaml"


@dataclass(frozen=True)
class Category:
    code: str
    stage: str
    parent: str | None
    label: dict[str, str]
    description: dict[str, str]
    synonyms: dict[str, tuple[str, ...]]


class Taxonomy:
    """Look-ups over the validated category list."""

    def __init__(self, categories: list[Category]) -> None:
        self.by_code = {c.code: c for c in categories}
        self._phrases: dict[str, str] = {}
        for c in categories:
            for phrase in (c.code.replace("_", " "), *c.label.values(),
                           *(s for syn in c.synonyms.values() for s in syn)):
                self._phrases.setdefault(fold(phrase), c.code)
        self._table = FuzzyTable(self._phrases)

    def get(self, code: str) -> Category:
        try:
            return self.by_code[code]
        except KeyError:
            raise UnknownCategory(code) from None

    def label(self, code: str, lang: str = "en") -> str:
        return self.get(code).label[lang if lang in LANGS else "en"]

    def children(self, code: str) -> list[str]:
        return [c.code for c in self.by_code.values() if c.parent == code]

    def with_descendants(self, code: str) -> list[str]:
        """The code and every code below it, so addiction treatment also offers RAAM clinics."""
        out = [self.get(code).code]
        for child in self.children(code):
            out.extend(self.with_descendants(child))
        return out

    def match(self, text: str) -> list[str]:
        """Category codes named in free text, longest phrase first, typos tolerated."""
        words = fold(text).split()
        found: list[str] = []
        used = [False] * len(words)
        for size in range(min(5, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                if any(used[i:i + size]):
                    continue
                code = self._lookup(" ".join(words[i:i + size]))
                if code:
                    used[i:i + size] = [True] * size
                    if code not in found:
                        found.append(code)
        return found

    def _lookup(self, phrase: str) -> str | None:
        return self._table.get(phrase)


def parse(raw: object, path: Path) -> Taxonomy:
    """Validate the YAML structure and build the taxonomy."""
    require(isinstance(raw, dict) and isinstance(raw.get("categories"), list), path,
             "expected a mapping with a 'categories' list")
    cats: list[Category] = []
    for n, item in enumerate(raw["categories"], 1):  # type: ignore[index]
        where = f"category #{n}"
        require(isinstance(item, dict), path, f"{where}: expected a mapping")
        code = item.get("code")
        require(code in CODES, path, f"{where}: unknown code {code!r}")
        require(item.get("stage") in STAGES, path, f"{code}: stage must be one of {STAGES}")
        require(item.get("parent") in (None, *CODES), path, f"{code}: bad parent")
        for key in ("label", "description", "synonyms"):
            require(isinstance(item.get(key), dict) and all(item[key].get(lang) for lang in LANGS),
                     path, f"{code}: {key} needs both 'en' and 'fr'")
        cats.append(Category(code=code, stage=item["stage"], parent=item.get("parent"),
                             label=dict(item["label"]), description=dict(item["description"]),
                             synonyms={lang: tuple(item["synonyms"][lang]) for lang in LANGS}))
    got = [c.code for c in cats]
    require(sorted(got) == sorted(CODES), path,
             f"codes must be exactly the canonical list; missing {sorted(set(CODES) - set(got))}, "
             f"duplicated {sorted({c for c in got if got.count(c) > 1})}")
    owner: dict[str, str] = {}
    for c in cats:
        for syn in (s for group in c.synonyms.values() for s in group):
            key = fold(str(syn))
            require(owner.get(key, c.code) == c.code, path,
                     f"synonym {syn!r} is listed under both {owner.get(key)} and {c.code}")
            owner[key] = c.code
    return Taxonomy(cats)


def load(path: Path = DEFAULT_PATH) -> Taxonomy:
    return parse(read_yaml(path, "taxonomy"), path)


@lru_cache(maxsize=1)
def get_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded and validated once per process."""
    return load()
