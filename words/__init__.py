"""Every sentence Waypoint says, in English and French: one catalogue, one loader.

The catalogue is the YAML files in this folder, one per topic (``safety.yml``,
``search.yml``, ``channels.yml``, …). Each entry is ``key: {en: …, fr: …}``, and a key
is used once across all the files. A text's blanks are ``{name}``, the style Rasa uses
for slots in responses; :func:`say` fills them. Help-line numbers are blanks too
(``{emergency_911}``, ``{kids_help_phone.name}``) that ``safety.replies`` fills from
the hotline file. Some entries are lists (weekday names, the greeting's buttons):
:func:`sequence` gives those.

Nothing is read at import. The files are read and checked once, on first use: a key
without both an English and a French text, or a key named twice, stops the loading
with the file and the key named.

The domain responses Rasa must own are generated from here (``domain/responses.yml``
by :mod:`words.domain`, ``domain/safety.yml`` by ``safety.replies``): ``make words``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("en", "fr")
FOLDER = Path(__file__).resolve().parent
# {name}, or {name.field} for a field of a help line (``safety.replies``).
BLANK = re.compile(r"\{([a-z0-9_]+(?:\.[a-z_]+)?)\}")


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the key."""


def language(lang: str | None) -> str:
    """French if ``lang`` is "fr", else English (the domain's default variation)."""
    return "fr" if lang == "fr" else "en"


def _check(path: Path, key: Any, texts: Any) -> None:
    where = f"{path.name}: {key!r}"
    if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise CatalogueError(f"{where}: a key is lower-case letters, digits and _")
    if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
        found = sorted(texts) if isinstance(texts, dict) else type(texts).__name__
        raise CatalogueError(f"{where} needs exactly an 'en' and an 'fr' text, has {found}")
    en, fr = texts["en"], texts["fr"]
    if isinstance(en, str) and isinstance(fr, str):
        if not en or not fr:
            raise CatalogueError(f"{where}: empty text")
    elif isinstance(en, list) and isinstance(fr, list):
        if not en or len(en) != len(fr):
            raise CatalogueError(f"{where}: the lists need the same, non-zero length")
    else:
        raise CatalogueError(f"{where}: 'en' and 'fr' must both be texts or both lists")


@lru_cache(maxsize=None)
def _load(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    entries: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogueError(f"{path.name}: cannot read: {exc}") from None
        if not isinstance(data, dict) or not data:
            raise CatalogueError(f"{path.name}: expected a mapping of key: {{en, fr}}")
        for key, texts in data.items():
            _check(path, key, texts)
            if key in entries:
                raise CatalogueError(f"{path.name}: {key!r} is also in {origin[key]}")
            entries[key] = texts
            origin[key] = path.name
    return entries, origin


def catalogue(folder: Path = FOLDER) -> dict[str, dict[str, Any]]:
    """Every entry by key, ``{"en": …, "fr": …}``: read and checked once."""
    return _load(folder)[0]


def _entry(key: str, lang: str | None) -> Any:
    try:
        return catalogue()[key][language(lang)]
    except KeyError:
        raise KeyError(f"no sentence {key!r} in the catalogue (words/*.yml)") from None


def template(key: str, lang: str | None) -> str:
    """The text of ``key`` in ``lang`` with its blanks unfilled."""
    text = _entry(key, lang)
    if not isinstance(text, str):
        raise TypeError(f"{key!r} is a list: use words.sequence")
    return text


def blanks(text: str) -> set[str]:
    """The names of a text's blanks: ``{"place", "emergency_911", "femaide.name"}``."""
    return set(BLANK.findall(text))


def fill(text: str, values: dict[str, Any], key: str = "") -> str:
    """``text`` with each ``{name}`` replaced by ``str(values[name])``, in one pass, so
    braces inside a value (a place a person typed) stay as written."""
    def one(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise KeyError(f"{key or text!r} needs a value for {m.group(0)}")
        return str(values[m.group(1)])

    return BLANK.sub(one, text)


def say(key: str, lang: str | None, /, **values: Any) -> str:
    """Sentence ``key`` in French if ``lang`` is "fr", else in English, blanks filled."""
    return fill(template(key, lang), values, key)


def sequence(key: str, lang: str | None) -> list[Any]:
    """A list entry (weekday names, month abbreviations, buttons) in ``lang``."""
    items = _entry(key, lang)
    if not isinstance(items, list):
        raise TypeError(f"{key!r} is a text: use words.say")
    return list(items)
