"""Emergency replies for each crisis kind, built from ``data/hotlines.yaml``.

Every number comes from that one file, so a number changes in one place. The
templates below hold only words and ``{hotline_id}`` placeholders. They are
rendered two ways:

* :func:`reply` gives the text directly. It needs no Rasa, no database and no
  action server, so a channel can still send it when everything else is down.
* :func:`render_domain_responses` gives the same texts as Rasa responses
  ``utter_crisis_<kind>``, and ``python -m safety.replies`` writes them to
  ``domain/safety.yml`` (a test checks that file is up to date).

Replies are short because most people read them in SMS: every reply fits in
three segments (see :mod:`conversation.sms`). French keeps to letters GSM-7 has (é è à
ù, not ê ç) so it is not counted as UCS-2, which would cut the budget from 459
to 201 characters: hence "bilingue" rather than "en français", "En danger?"
rather than "Si vous êtes en danger".

Placeholders: ``{id}`` is the hotline's display number; ``{id.name}`` its name
in the reply's language; ``{id.text_to}`` and ``{id.keyword}`` its SMS option;
``{id.lang_note}`` says "(in French)"/"(en anglais)" when the line does not
answer in the reply's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from safety.crisis import KINDS, LANGUAGES

HOTLINES_PATH = Path(__file__).parent / "data" / "hotlines.yaml"
DOMAIN_PATH = Path(__file__).resolve().parent.parent / "domain" / "safety.yml"
REGIONS = ("Canada", "Ontario", "Québec")
_FIELDS = ("id", "name", "number", "dial", "text", "hours", "languages", "region", "url",
           "last_checked", "note")
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z_]+))?\}")
_OTHER_LANGUAGE = {"en": " (in French)", "fr": " (en anglais)"}

# One entry per kind and language. Words only: numbers come from hotlines.yaml.
TEMPLATES: dict[str, dict[str, str]] = {
    "overdose": {
        "en": (
            "CALL {emergency_911} NOW. Texting {emergency_911} does not work.\n"
            "1. Shake and shout\n"
            "2. Call {emergency_911}\n"
            "3. Give naloxone\n"
            "4. Breathe or push: rescue breaths or chest compressions\n"
            "5. No response in 2-3 min: give naloxone again\n"
            "6. Recovery position. Stay with them\n"
            "The Good Samaritan Drug Overdose Act protects people who call {emergency_911} "
            "from simple possession charges.\n"
            "Using alone? {overdose_response_nors.name}{overdose_response_nors.lang_note}: "
            "{overdose_response_nors}, 24/7"
        ),
        "fr": (
            "APPELEZ LE {emergency_911}. Texter le {emergency_911} ne marche pas.\n"
            "1. Secouez et criez\n"
            "2. Appelez le {emergency_911}\n"
            "3. Donnez la naloxone\n"
            "4. Respirez ou poussez : insufflations ou compressions\n"
            "5. Rien après 2-3 min : redonnez-en\n"
            "6. Position latérale, restez avec la personne\n"
            "Loi sur les bons samaritains : appeler le {emergency_911} vous protège "
            "des accusations de simple possession.\n"
            "Seul(e) pour consommer? {overdose_response_nors.name}"
            "{overdose_response_nors.lang_note} : {overdose_response_nors}, 24/7"
        ),
    },
    "suicide": {
        "en": (
            "You don't have to go through this alone. Call or text {suicide_crisis_988} now, "
            "the Suicide Crisis Helpline: free, 24/7, in English and French.\n"
            "If you are in immediate danger, call {emergency_911}."
        ),
        "fr": (
            "Vous n'avez pas à vivre cela seul(e). Appelez ou textez le {suicide_crisis_988} "
            "maintenant, la ligne d'aide en cas de crise de suicide : gratuit, 24/7, bilingue.\n"
            "En danger immédiat? Appelez le {emergency_911}."
        ),
    },
    "self_harm": {
        "en": (
            "Thank you for telling me. You deserve support right now: call or text "
            "{suicide_crisis_988}, free, 24/7, in English and French.\n"
            "If you are hurt or in danger, call {emergency_911}."
        ),
        "fr": (
            "Merci de me le dire. Vous méritez du soutien maintenant : appelez ou textez le "
            "{suicide_crisis_988}, gratuit, 24/7, bilingue.\n"
            "Blessé(e) ou en danger? Appelez le {emergency_911}."
        ),
    },
    "danger": {
        "en": (
            "CALL {emergency_911} NOW. Texting {emergency_911} does not work.\n"
            "If you can, get to a public place with people around and stay on the line."
        ),
        "fr": (
            "APPELEZ LE {emergency_911} MAINTENANT. Texter le {emergency_911} ne marche pas.\n"
            "Si possible, allez dans un lieu public avec du monde et restez en ligne."
        ),
    },
    "medical": {
        "en": (
            "CALL {emergency_911} NOW. Texting {emergency_911} does not work.\n"
            "Stay on the line: the dispatcher will tell you what to do until help arrives."
        ),
        "fr": (
            "APPELEZ LE {emergency_911} MAINTENANT. Texter le {emergency_911} ne marche pas.\n"
            "Restez en ligne : le répartiteur vous dira quoi faire en attendant les secours."
        ),
    },
    "domestic_violence": {
        "en": (
            "If you are in danger now, call {emergency_911}.\n"
            "Ontario: {assaulted_womens_helpline.name} {assaulted_womens_helpline}, 24/7\n"
            "Québec: {sos_violence_conjugale.name} {sos_violence_conjugale}, 24/7\n"
            "Confidential shelters can be found. Tell me if you want them."
        ),
        "fr": (
            "En danger maintenant? Appelez le {emergency_911}.\n"
            "Ontario : {femaide.name} {femaide} ou {assaulted_womens_helpline.name} "
            "{assaulted_womens_helpline}, 24/7\n"
            "Québec : {sos_violence_conjugale.name} {sos_violence_conjugale}, 24/7\n"
            "Je peux trouver des refuges confidentiels. Dites-moi si vous les voulez."
        ),
    },
    "trafficking": {
        "en": (
            "If you are in danger now, call {emergency_911}.\n"
            "{human_trafficking_hotline.name}: {human_trafficking_hotline}. "
            "Confidential, 24/7, many languages."
        ),
        "fr": (
            "En danger maintenant? Appelez le {emergency_911}.\n"
            "{human_trafficking_hotline.name} : {human_trafficking_hotline}. "
            "Confidentiel, 24/7, plusieurs langues."
        ),
    },
    "youth_unsafe": {
        "en": (
            "{kids_help_phone.name} is there for you, free and 24/7: call {kids_help_phone} "
            "or text {kids_help_phone.keyword} to {kids_help_phone.text_to}.\n"
            "If you are in danger now, call {emergency_911}.\n"
            "Youth shelters can be found. Tell me if you want them."
        ),
        "fr": (
            "{kids_help_phone.name} est là pour toi, gratuit et 24/7 : appelle le "
            "{kids_help_phone} ou texte {kids_help_phone.keyword} au {kids_help_phone.text_to}.\n"
            "En danger maintenant? Appelle le {emergency_911}.\n"
            "Je peux trouver des refuges pour les jeunes. Dis-moi si tu en veux."
        ),
    },
}


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


# Replies that carry help-line numbers but are not emergencies (same rule: words only).
# The services line (two_one_one) answers calls 24/7; its text and chat hours are shorter
# in places (see the hotline file), so only the call is said to be 24/7.
HELP_TEMPLATES: dict[str, dict[str, str]] = {
    "default": {
        "en": ("Sorry, I didn't get that. Tell me what you need (a bed, food, a shower, "
               "naloxone...) and where you are. Help: call {two_one_one} any "
               "time, or text it. Urgent: {emergency_911}. Thinking of suicide: {suicide_crisis_988}."),
        "fr": ("Désolé, je n'ai pas compris. Dites-moi ce qu'il vous faut (un lit, manger, "
               "une douche, naloxone...) et où vous vous trouvez. Aide : {two_one_one}, appel "
               "24/7 ou texto. Urgence : {emergency_911}. Idées suicidaires : {suicide_crisis_988}."),
    },
    "out_of_scope": {
        "en": ("I can only find local services: shelter, food, showers, naloxone, health, "
               "addiction help, income, work and housing. For anything else, {two_one_one} "
               "can help: call any time, or text."),
        "fr": ("Je trouve seulement des services : refuge, repas, douches, naloxone, santé, "
               "dépendance, revenu, emploi, logement. Pour le reste, le {two_one_one} peut "
               "aider : appel 24/7 ou texto."),
    },
    "talk_to_person": {
        "en": ("To talk to a person now, call {two_one_one} (24/7), or text or chat "
               "at {two_one_one.site}. If it's urgent call {emergency_911}. Thinking of "
               "suicide: call or text {suicide_crisis_988}."),
        "fr": ("Pour parler à une personne maintenant : {two_one_one}, appel 24/7, ou texto "
               "et clavardage sur {two_one_one.site}. Urgence : {emergency_911}. Idées suicidaires : "
               "{suicide_crisis_988}, appel ou texto."),
    },
    "fallback": {
        "en": ("Sorry, I can't answer right now. For help finding services call "
               "{two_one_one} (24/7) or text it. If it's urgent call {emergency_911}. Thinking of "
               "suicide: call or text {suicide_crisis_988}."),
        "fr": ("Désolé, je ne peux pas répondre pour l'instant. Pour de l'aide : {two_one_one} "
               "(appel 24/7 ou texto). Urgence : {emergency_911}. Idées suicidaires : "
               "{suicide_crisis_988}."),
    },
}
# Help replies that are domain responses; "fallback" is sent by the channels themselves.
HELP_RESPONSES = ("default", "out_of_scope", "talk_to_person")


def _fill(template: str, lang: str, hotlines: dict[str, Hotline]) -> str:
    def one(m: re.Match[str]) -> str:
        key, field = m.group(1), m.group(2) or "number"
        if key not in hotlines:
            raise KeyError(f"template names unknown hotline {key!r}")
        line = hotlines[key]
        values = {
            "number": line.number,
            "name": line.name[lang],
            "text_to": line.text_to,
            "keyword": line.keyword,
            "site": line.url.removeprefix("https://").removeprefix("http://").rstrip("/"),
            "lang_note": "" if lang in line.languages else _OTHER_LANGUAGE[lang],
        }
        if field not in values:
            raise KeyError(f"unknown hotline field {field!r} in {m.group(0)}")
        value = values[field]
        if value is None:
            raise KeyError(f"hotline {key!r} has no {field}")
        return value

    return _PLACEHOLDER.sub(one, template)


def reply(kind: str, lang: str | None = "en") -> str:
    """The emergency reply for ``kind`` in ``lang`` (English when the language is unknown).

    Raises ``ValueError`` for an unknown kind: a typo must fail in tests, not
    send nothing to someone in crisis.
    """
    if kind not in TEMPLATES:
        raise ValueError(f"unknown crisis kind {kind!r}; expected one of {', '.join(KINDS)}")
    lang = lang if lang in LANGUAGES else "en"
    return _fill(TEMPLATES[kind][lang], lang, load_hotlines())


def fill(template: str, lang: str | None = "en") -> str:
    """Any text with ``{hotline_id}`` placeholders, numbered from ``hotlines.yaml``."""
    lang = lang if lang in LANGUAGES else "en"
    return _fill(template, lang, load_hotlines())


def help_reply(name: str, lang: str | None = "en") -> str:
    """A non-emergency reply that gives help lines ("default", "fallback", …)."""
    lang = lang if lang in LANGUAGES else "en"
    return _fill(HELP_TEMPLATES[name][lang], lang, load_hotlines())


def _variations(text_of: Any) -> list[dict[str, Any]]:
    return [{"condition": [{"type": "slot", "name": "language", "value": "fr"}],
             "text": text_of("fr")},
            {"text": text_of("en")}]


def render_domain_responses() -> dict[str, list[dict[str, Any]]]:
    """Rasa responses ``utter_crisis_<kind>`` and the help-line replies (``utter_default``,
    ``utter_out_of_scope``, ``utter_talk_to_person``): French when slot ``language`` is fr."""
    responses = {f"utter_crisis_{kind}": _variations(lambda lang, k=kind: reply(k, lang))
                 for kind in KINDS}
    responses.update({f"utter_{name}": _variations(lambda lang, n=name: help_reply(n, lang))
                      for name in HELP_RESPONSES})
    return responses


class _Dumper(yaml.SafeDumper):
    """Writes multi-line replies as literal blocks, so the domain file reads like the SMS."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render_domain_yaml() -> str:
    """The full text of ``domain/safety.yml``."""
    header = (
        "# GENERATED by `python -m safety.replies` from safety/replies.py and\n"
        "# safety/data/hotlines.yaml. Do not edit: change those and regenerate.\n"
        "# tests/safety/test_replies.py fails when this file is out of date.\n"
    )
    body = yaml.dump({"version": "3.1", "responses": render_domain_responses()},
                     Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)
    return header + body


def main() -> None:
    """Write ``domain/safety.yml``."""
    DOMAIN_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOMAIN_PATH.write_text(render_domain_yaml(), encoding="utf-8")


if __name__ == "__main__":
    main()
