"""Crisis detection: the safety net that runs before anything else.

An overdose or suicide message must get the emergency answer at once, even
when the database, the action server or Rasa itself is down. So this module is
pure Python (the standard library and PyYAML), imports nothing from Rasa or
``directory``, does nothing at import time, and reads one data file,
``data/crisis_patterns.yaml``, validated the first time it is needed. A channel
calls :func:`load_patterns` at start-up so that a broken file stops the bot
then, not in the middle of someone's emergency.

Matching is deliberately simple and explainable (phrases and regular
expressions over folded text, never a model): people can read the list, add
the words they hear on the street, and test them. Text is folded so that case,
accents, punctuation, apostrophes, stretched letters ("nooooo") and common
texting forms ("im", "wanna", "jveux", "chu") do not matter. Benign look-alikes
("dying for a coffee", "je meurs de faim") are blanked out before the crisis
patterns run, so a crisis said in the same message still triggers.

When several kinds match, the most urgent wins, in the order of :data:`KINDS`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# Most urgent first: when several kinds match one message, the first one wins.
KINDS: tuple[str, ...] = (
    "overdose", "medical", "danger", "suicide", "domestic_violence", "trafficking",
    "youth_unsafe", "self_harm",
)
LANGUAGES: tuple[str, ...] = ("en", "fr")
ENTRY_TYPES: tuple[str, ...] = ("phrases", "regex", "emoji")
DEFAULT_PATH = Path(__file__).parent / "data" / "crisis_patterns.yaml"

# Typed apostrophes vanish ("don't" -> "dont", "j'en" -> "jen"), so that the
# many people who leave them out write the same thing as those who do not.
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘ʼ`´′‛"), None)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_MACRO = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_BLANK = " | "  # replaces a benign span; no phrase can match across it


class PatternFileError(ValueError):
    """``crisis_patterns.yaml`` is malformed; the message names the bad entry."""


@dataclass(frozen=True)
class Crisis:
    """A crisis found in a message.

    Attributes:
        kind: one of :data:`KINDS`.
        matched: the folded text that matched (lower-case, no accents), for logs
            and tests; it is the person's own words, so treat it as private.
        language: ``"en"`` or ``"fr"`` when the matching pattern belongs to one
            language, ``None`` when it is shared ("overdose", "suicide", emoji);
            the caller then falls back on its own idea of the language.
    """

    kind: str
    matched: str
    language: str | None


@dataclass(frozen=True)
class _Pattern:
    kind: str
    language: str | None
    where: str  # e.g. "kinds.overdose.en.regex[3]", for error messages and debugging
    regex: re.Pattern[str]


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced text.

    Emoji are kept, each as a word of its own, so that patterns can use them;
    apostrophes disappear; anything else that is not a letter or digit
    (punctuation, control characters, skin-tone modifiers) becomes a space.
    """
    text = text.translate(_APOSTROPHES).translate(_LIGATURES)
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) or ch == "\ufe0f":
            continue  # accents; emoji variation selectors
        if ch.isascii():
            out.append(ch.lower() if ch.isalnum() else " ")
        elif _is_emoji(ch):
            out.append(f" {ch} ")
        else:
            out.append(" ")
    return " ".join("".join(out).split())


class PatternSet:
    """The validated, compiled contents of ``crisis_patterns.yaml``."""

    def __init__(self, rewrites: dict[str, str], exclusions: list[_Pattern],
                 by_kind: dict[str, list[_Pattern]]) -> None:
        self.rewrites = rewrites
        self._rewrite_re = (
            re.compile(r"(?<![a-z0-9])(?:"
                       + "|".join(re.escape(k) for k in sorted(rewrites, key=len, reverse=True))
                       + r")(?![a-z0-9])")
            if rewrites else None
        )
        self.exclusions = tuple(exclusions)
        self.by_kind = {kind: tuple(by_kind[kind]) for kind in KINDS}

    def rewrite(self, folded: str) -> str:
        """Replace texting forms by the canonical words the patterns use."""
        if self._rewrite_re is None:
            return folded
        return self._rewrite_re.sub(lambda m: self.rewrites[m.group(0)], folded)

    def canonical(self, text: str) -> str:
        """Fold, then rewrite texting forms: the form phrases are compared in."""
        return self.rewrite(fold(text))

    def variants(self, text: str) -> list[str]:
        """The canonical forms of ``text`` to search, benign spans blanked.

        Stretched letters are tried both ways ("pleeease" -> "please",
        "bleeeeding" -> "bleeding"), since one rule cannot serve both.
        """
        folded = fold(text)
        forms = [folded]
        if _STRETCHED.search(folded):
            forms += [_STRETCHED.sub(r"\1\1", folded), _STRETCHED.sub(r"\1", folded)]
        seen: list[str] = []
        for form in forms:
            cleaned = self.blank_benign(self.rewrite(form))
            if cleaned not in seen:
                seen.append(cleaned)
        return seen

    def blank_benign(self, canonical: str) -> str:
        """Blank out benign look-alikes ("killing time") in canonical text."""
        for pattern in self.exclusions:
            canonical = pattern.regex.sub(_BLANK, canonical)
        return canonical


# --------------------------------------------------------------------------- loading


def _fail(path: Path, where: str, problem: str) -> PatternFileError:
    return PatternFileError(f"{path}: {where}: {problem}")


def _strings(path: Path, where: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _fail(path, where, f"expected a list of strings, got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _fail(path, f"{where}[{i}]", f"expected a non-empty string, got {item!r}")
    return value


def _expand(path: Path, where: str, source: str, defines: Mapping[str, str],
            depth: int = 0) -> str:
    """Replace ``{name}`` macros by ``(?:definition)``, recursively."""
    if depth > 10:
        raise _fail(path, where, "macros nest more than 10 deep (a cycle?)")

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in defines:
            raise _fail(path, where, f"unknown macro {{{name}}} in {source!r}; "
                                     f"known: {', '.join(sorted(defines)) or 'none'}")
        return "(?:" + _expand(path, f"defines.{name}", defines[name], defines, depth + 1) + ")"

    return _MACRO.sub(one, source)


def _check_canonical(path: Path, where: str, source: str) -> None:
    """Regexes run on folded text: refuse capitals, accents and apostrophes."""
    unescaped = re.sub(r"\\.|\(\?P[<=]", "", source)
    bad = sorted({c for c in unescaped
                  if (c.isalpha() and not (c.isascii() and c.islower()) and not _is_emoji(c))
                  or c in "'’"})
    if bad:
        raise _fail(path, where, f"{source!r} contains {''.join(bad)!r}: regexes are matched "
                                 "against folded text (lower-case, no accents, no apostrophes)")


def _compile(path: Path, where: str, body: str, source: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(r"(?<![a-z0-9])(?:" + body + r")(?![a-z0-9])")
    except re.error as exc:
        raise _fail(path, where, f"bad regex {source!r}: {exc}") from None
    if compiled.search("") is not None or compiled.search(" ") is not None:
        raise _fail(path, where, f"{source!r} matches empty text, so it would match everything")
    return compiled


def _entries(path: Path, where: str, block: Any, language: str | None, kind: str,
             defines: Mapping[str, str], canonical: Any) -> list[_Pattern]:
    """Compile one ``{phrases, regex, emoji}`` block."""
    if not isinstance(block, dict):
        raise _fail(path, where, f"expected a mapping of {', '.join(ENTRY_TYPES)}")
    unknown = set(block) - set(ENTRY_TYPES)
    if unknown:
        raise _fail(path, where, f"unknown entry type(s) {sorted(unknown)}; "
                                 f"expected {', '.join(ENTRY_TYPES)}")
    out: list[_Pattern] = []
    for entry_type in ENTRY_TYPES:
        items = _strings(path, f"{where}.{entry_type}", block.get(entry_type, []))
        for i, source in enumerate(items):
            at = f"{where}.{entry_type}[{i}]"
            if entry_type == "phrases":
                words = canonical(source).split()
                if not words:
                    raise _fail(path, at, f"{source!r} has no letters, digits or emoji")
                body = r"\s+".join(re.escape(w) for w in words)
            else:
                _check_canonical(path, at, source)
                body = _expand(path, at, source, defines)
            compiled = _compile(path, at, body, source)
            if entry_type == "emoji":
                _check_emoji(path, at, source, compiled)
            out.append(_Pattern(kind, language, at, compiled))
    return out


def _check_emoji(path: Path, where: str, source: str, compiled: re.Pattern[str]) -> None:
    """An emoji pattern needs an emoji, and words: an emoji alone is never a crisis."""
    emoji = [c for c in source if _is_emoji(c)]
    if not emoji:
        raise _fail(path, where, f"{source!r} is in an emoji list but has no emoji")
    for probe in [*emoji, " ".join(emoji), " ".join(emoji * 3)]:
        if compiled.search(probe):
            raise _fail(path, where, f"{source!r} matches the emoji {probe!r} alone; "
                                     "emoji patterns must need words too")


def _parse(path: Path, data: Any) -> PatternSet:
    if not isinstance(data, dict):
        raise _fail(path, "top level", "expected a mapping")
    unknown = set(data) - {"version", "texting", "defines", "exclusions", "kinds"}
    if unknown:
        raise _fail(path, "top level", f"unknown key(s) {sorted(unknown)}")
    if data.get("version") != 1:
        raise _fail(path, "version", f"expected 1, got {data.get('version')!r}")

    rewrites: dict[str, str] = {}
    texting = data.get("texting") or []
    if not isinstance(texting, list):
        raise _fail(path, "texting", "expected a list of [from, to] pairs")
    for i, pair in enumerate(texting):
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(p, str) and fold(p) for p in pair)):
            raise _fail(path, f"texting[{i}]", f"expected a [from, to] pair of words, got {pair!r}")
        src, dst = fold(pair[0]), fold(pair[1])
        if src in rewrites and rewrites[src] != dst:
            raise _fail(path, f"texting[{i}]", f"{src!r} already rewrites to {rewrites[src]!r}")
        rewrites[src] = dst
    probe = PatternSet(rewrites, [], {k: [] for k in KINDS})
    for i, (src, dst) in enumerate(rewrites.items()):
        if probe.rewrite(dst) != dst:
            raise _fail(path, f"texting[{i}]", f"{src!r} -> {dst!r} is rewritten again to "
                                               f"{probe.rewrite(dst)!r}; give the final form")

    defines = data.get("defines") or {}
    if not isinstance(defines, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in defines.items()):
        raise _fail(path, "defines", "expected a mapping of name: regex fragment")
    for name, source in defines.items():
        if not _MACRO.fullmatch("{" + name + "}"):
            raise _fail(path, f"defines.{name}", "names are lower-case letters, digits and _")
        _check_canonical(path, f"defines.{name}", source)
        _compile(path, f"defines.{name}", _expand(path, f"defines.{name}", source, defines),
                 source)

    def by_language(where: str, block: Any, kind: str) -> list[_Pattern]:
        if not isinstance(block, dict):
            raise _fail(path, where, "expected a mapping of en / fr / any")
        bad = set(block) - {*LANGUAGES, "any"}
        if bad:
            raise _fail(path, where, f"unknown language(s) {sorted(bad)}; "
                                     f"expected {', '.join(LANGUAGES)} or any")
        out: list[_Pattern] = []
        for lang, entries in block.items():
            out += _entries(path, f"{where}.{lang}", entries, None if lang == "any" else lang,
                            kind, defines, probe.canonical)
        return out

    exclusions = by_language("exclusions", data.get("exclusions") or {}, "benign")
    kinds = data.get("kinds")
    if not isinstance(kinds, dict):
        raise _fail(path, "kinds", "expected a mapping of kind: patterns")
    unknown_kinds = [k for k in kinds if k not in KINDS]
    if unknown_kinds:
        raise _fail(path, f"kinds.{unknown_kinds[0]}",
                    f"unknown kind {unknown_kinds[0]!r}; expected one of {', '.join(KINDS)}")
    missing = [k for k in KINDS if k not in kinds]
    if missing:
        raise _fail(path, "kinds", f"missing kind(s) {', '.join(missing)}")
    by_kind = {kind: by_language(f"kinds.{kind}", kinds[kind], kind) for kind in KINDS}
    for kind, patterns in by_kind.items():
        if not patterns:
            raise _fail(path, f"kinds.{kind}", "has no patterns")
    return PatternSet(rewrites, exclusions, by_kind)


def parse_patterns(data: Any, path: Path | str = "<data>") -> PatternSet:
    """Validate and compile already-loaded pattern data (used by tests and tools)."""
    return _parse(Path(path), data)


@lru_cache(maxsize=4)
def load_patterns(path: Path = DEFAULT_PATH) -> PatternSet:
    """Read, validate and compile the pattern file once; raise on any problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PatternFileError(f"{path}: cannot read crisis patterns: {exc}") from None
    return _parse(Path(path), data)


# --------------------------------------------------------------------------- detection


def _pick(matches: Iterable[tuple[_Pattern, re.Match[str]]]) -> tuple[_Pattern, str]:
    """Prefer a match that tells the language, then the longest."""
    def text_of(m: re.Match[str]) -> str:
        return m.group("m") if "m" in m.re.groupindex and m.group("m") else m.group(0)

    pattern, match = max(matches, key=lambda pm: (pm[0].language is not None,
                                                  len(text_of(pm[1]))))
    return pattern, text_of(match).strip()


def detect(text: str, patterns: PatternSet | None = None) -> Crisis | None:
    """Return the most urgent crisis in ``text``, or ``None``.

    Never raises on odd input (empty text, emoji only, control characters,
    non-strings give ``None``); it does raise :class:`PatternFileError` if the
    pattern file is broken, which :func:`load_patterns` at start-up surfaces first.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    ps = patterns or load_patterns()
    variants = ps.variants(text)
    if not any(v.strip(" |") for v in variants):
        return None
    for kind in KINDS:
        found = [(p, m) for v in variants for p in ps.by_kind[kind]
                 if (m := p.regex.search(v)) is not None]
        if found:
            pattern, matched = _pick(found)
            return Crisis(kind=kind, matched=matched, language=pattern.language)
    return None


def explain(text: str) -> list[tuple[str, str, str | None, str]]:
    """Every pattern that matches ``text``: (kind, entry, language, matched text).

    For people tuning the lists: shows why a message triggered, or which kinds
    lost to a more urgent one.
    """
    ps = load_patterns()
    out: list[tuple[str, str, str | None, str]] = []
    for kind in KINDS:
        for v in ps.variants(text):
            for p in ps.by_kind[kind]:
                if (m := p.regex.search(v)) is not None:
                    out.append((kind, p.where, p.language, m.group(0)))
    return out
