"""Text folding and typo-tolerant matching shared by taxonomy and place look-ups.

People text in a hurry: no accents, typos, abbreviations. Folding lowers
case, strips accents and punctuation; ``edit_distance`` tolerates typos.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced text."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", bare.lower()).strip()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, cut off above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def typo_budget(word: str) -> int:
    """How many edits a word of this length may carry and still match."""
    n = len(word)
    return 0 if n <= 4 else 1 if n <= 7 else 2


class FuzzyTable:
    """Folded names mapped to values, looked up exactly or with a few typos.

    Candidates are bucketed by length and must share the first or the last
    letter with the query, so a look-up compares a few dozen names, not all.
    """

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self._by_length: dict[int, list[str]] = {}
        for name in names:
            self._by_length.setdefault(len(name), []).append(name)

    def __contains__(self, key: str) -> bool:
        return key in self.names

    def get(self, key: str, fuzzy: bool = True) -> str | None:
        """The value of ``key``, or of the closest name within its typo budget."""
        if key in self.names:
            return self.names[key]
        budget = typo_budget(key) if fuzzy else 0
        if not budget:
            return None
        scored = [(edit_distance(key, name, budget), name)
                  for n in range(len(key) - budget, len(key) + budget + 1)
                  for name in self._by_length.get(n, ())
                  if name[0] == key[0] or name[-1] == key[-1]]
        scored = [s for s in scored if s[0] <= budget]
        return self.names[min(scored)[1]] if scored else None
