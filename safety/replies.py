"""Emergency and help-line replies: the catalogue's words with the hotline file's numbers.

The sentences are in ``words/safety.yml`` (and the channels' own in
``words/channels.yml``); every number is in ``data/hotlines.yaml``, so a number changes
in one place. A sentence names a line by a ``{hotline_id}`` blank, which :func:`say`
fills. Replies are given two ways:

* :func:`reply` gives the text directly. It needs no Rasa, no database and no
  action server, so a channel can still send it when everything else is down.
* :func:`render_domain_responses` gives the same texts as Rasa responses
  ``utter_crisis_<kind>``, and ``python -m safety.replies`` (``make words``) writes
  them to ``domain/safety.yml`` (a test checks that file is up to date).

Blanks: ``{id}`` is the hotline's display number; ``{id.name}`` its name in the
reply's language; ``{id.text_to}`` and ``{id.keyword}`` its SMS option; ``{id.site}``
its web address; ``{id.lang_note}`` says "(in French)"/"(en anglais)" when the line
does not answer in the reply's language. Why the replies are short and keep to GSM-7
letters is said in ``words/safety.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import words
from safety.crisis import KINDS, LANGUAGES
from words.domain import domain_yaml, variations

HOTLINES_PATH = Path(__file__).parent / "data" / "hotlines.yaml"
DOMAIN_PATH = Path(__file__).resolve().parent.parent / "domain" / "safety.yml"
REGIONS = ("Canada", "Ontario", "Québec")
_FIELDS = ("id", "name", "number", "dial", "text", "hours", "languages", "region", "url",
           "last_checked", "note")


class HotlineFileError(ValueError):
    """``hotlines.yaml`` is malformed; the message names the bad entry."""


@dataclass(frozen=True)
class Hotline:
    """One help line, as checked against the service's own page on ``last_checked``."""

    id: str
    name: dict[str, str]
    number: str
    dial: str
    text_to: str | None
    keyword: str | None
    hours: str
    languages: tuple[str, ...]
    region: str
    url: str
    last_checked: str
    note: str


def _hotline(path: Path, i: int, raw: Any) -> Hotline:
    where = f"{path}: hotlines[{i}]"
    if not isinstance(raw, dict):
        raise HotlineFileError(f"{where}: expected a mapping")
    where = f"{path}: hotlines[{i}] ({raw.get('id', '?')})"
    missing = [f for f in _FIELDS if f not in raw]
    unknown = sorted(set(raw) - set(_FIELDS))
    if missing or unknown:
        raise HotlineFileError(f"{where}: missing {missing} / unknown {unknown} fields")
    name = raw["name"]
    if not isinstance(name, dict) or set(name) != set(LANGUAGES) or not all(name.values()):
        raise HotlineFileError(f"{where}: name needs exactly {LANGUAGES}, got {name!r}")
    for field in ("id", "number", "dial", "hours", "region", "url", "last_checked", "note"):
        if not isinstance(raw[field], str) or not raw[field].strip():
            raise HotlineFileError(f"{where}: {field} must be a non-empty string")
    if not re.fullmatch(r"[a-z0-9_]+", raw["id"]):
        raise HotlineFileError(f"{where}: id must be lower-case letters, digits and _")
    if not raw["dial"].isdigit() or re.sub(r"\D", "", raw["number"]) != raw["dial"]:
        raise HotlineFileError(f"{where}: dial {raw['dial']!r} is not the digits of "
                               f"number {raw['number']!r}")
    if raw["region"] not in REGIONS:
        raise HotlineFileError(f"{where}: region must be one of {REGIONS}")
    if not raw["url"].startswith("https://"):
        raise HotlineFileError(f"{where}: url must be the service's own https page")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw["last_checked"]):
        raise HotlineFileError(f"{where}: last_checked must be an ISO date")
    langs = raw["languages"]
    if not isinstance(langs, list) or not langs or not all(isinstance(x, str) for x in langs):
        raise HotlineFileError(f"{where}: languages must be a non-empty list")
    text = raw["text"]
    if text is not None and (not isinstance(text, dict) or set(text) != {"to", "keyword"}
                             or not isinstance(text["to"], str)):
        raise HotlineFileError(f"{where}: text must be null or {{to, keyword}}")
    return Hotline(
        id=raw["id"], name=dict(name), number=raw["number"], dial=raw["dial"],
        text_to=text["to"] if text else None, keyword=text["keyword"] if text else None,
        hours=raw["hours"], languages=tuple(langs), region=raw["region"], url=raw["url"],
        last_checked=raw["last_checked"], note=raw["note"],
    )


@lru_cache(maxsize=4)
def load_hotlines(path: Path = HOTLINES_PATH) -> dict[str, Hotline]:
    """Read and validate the hotline file once; raise on any problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HotlineFileError(f"{path}: cannot read hotlines: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(
            data.get("hotlines"), list):
        raise HotlineFileError(f"{path}: expected version: 1 and a list under hotlines")
    out: dict[str, Hotline] = {}
    for i, raw in enumerate(data["hotlines"]):
        line = _hotline(Path(path), i, raw)
        if line.id in out:
            raise HotlineFileError(f"{path}: hotlines[{i}]: duplicate id {line.id!r}")
        out[line.id] = line
    return out


# Replies that give help lines but are not emergencies. All but "fallback" are domain
# responses; the channels send "fallback" themselves when the assistant cannot answer.
HELP_RESPONSES = ("default", "out_of_scope", "talk_to_person")
HELP_REPLIES = (*HELP_RESPONSES, "fallback")


def _hotline_value(blank: str, lang: str, hotlines: dict[str, Hotline]) -> str:
    """What blank ``{id}`` or ``{id.field}`` stands for in ``lang``."""
    key, _, field = blank.partition(".")
    if key not in hotlines:
        raise KeyError(f"a sentence names unknown hotline {key!r}")
    line = hotlines[key]
    values = {
        "number": line.number,
        "name": line.name[lang],
        "text_to": line.text_to,
        "keyword": line.keyword,
        "site": line.url.removeprefix("https://").removeprefix("http://").rstrip("/"),
        "lang_note": ("" if lang in line.languages
                      else words.say("hotline_in_other_language", lang)),
    }
    value = values.get(field or "number", KeyError)
    if value is KeyError:
        raise KeyError(f"unknown hotline field {field!r} in {{{blank}}}")
    if value is None:
        raise KeyError(f"hotline {key!r} has no {field}")
    return str(value)


def say(key: str, lang: str | None = "en", /, **values: Any) -> str:
    """Catalogue sentence ``key`` in ``lang`` (English unless French): blanks named in
    ``values`` filled from them, the others numbered from ``hotlines.yaml``."""
    lang = words.language(lang)
    missing = words.blanks(words.template(key, lang)) - set(values)
    if missing:
        hotlines = load_hotlines()
        values = {**values, **{b: _hotline_value(b, lang, hotlines) for b in missing}}
    return words.say(key, lang, **values)


def reply(kind: str, lang: str | None = "en") -> str:
    """The emergency reply for ``kind`` in ``lang`` (English when the language is unknown).

    Raises ``ValueError`` for an unknown kind: a typo must fail in tests, not
    send nothing to someone in crisis.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown crisis kind {kind!r}; expected one of {', '.join(KINDS)}")
    return say(f"crisis_{kind}", lang)


def help_reply(name: str, lang: str | None = "en") -> str:
    """A non-emergency reply that gives help lines ("default", "fallback", …)."""
    if name not in HELP_REPLIES:
        raise KeyError(f"unknown help reply {name!r}; expected one of {', '.join(HELP_REPLIES)}")
    return say(name, lang)


def render_domain_responses() -> dict[str, list[dict[str, Any]]]:
    """Rasa responses ``utter_crisis_<kind>`` and the help-line replies (``utter_default``,
    ``utter_out_of_scope``, ``utter_talk_to_person``): French when slot ``language`` is fr."""
    responses = {f"utter_crisis_{kind}": variations(lambda lang, k=kind: reply(k, lang))
                 for kind in KINDS}
    responses.update({f"utter_{name}": variations(lambda lang, n=name: help_reply(n, lang))
                      for name in HELP_RESPONSES})
    return responses


def render_domain_yaml() -> str:
    """The full text of ``domain/safety.yml``."""
    header = (
        "# GENERATED from words/safety.yml and safety/data/hotlines.yaml by safety/replies.py:\n"
        "# edit there and run `make words`. tests/safety/test_replies.py fails when this file\n"
        "# is out of date.\n"
    )
    return domain_yaml(header, render_domain_responses())


def main() -> None:
    """Write ``domain/safety.yml``."""
    DOMAIN_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOMAIN_PATH.write_text(render_domain_yaml(), encoding="utf-8")


if __name__ == "__main__":
    main()
