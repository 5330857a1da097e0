"""The domain responses Rasa must own, generated from the catalogue: ``make words``.

Rasa sends a response itself when a rule or story names it, so those sentences must
be in the domain. Each is written here as Rasa wants it: a French variation
(condition: slot ``language`` is fr) and an English default. ``python -m words.domain``
writes ``domain/responses.yml`` from ``conversation.yml``; ``safety.replies`` writes
``domain/safety.yml`` the same way, with the help-line numbers filled in. A test
fails when either file is out of date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml

from words import FOLDER, catalogue, say, sequence

RESPONSES_PATH = FOLDER.parent / "domain" / "responses.yml"

# Keys of conversation.yml sent as utter_<key>, in this order; <key>_buttons, if in
# the catalogue, gives the response's buttons. utter_sorry is built apart (two slots).
CONVERSATION = ("greet", "help", "thanks", "goodbye", "affirm_ack", "language_switched",
                "privacy", "forgotten")


def slot_is(name: str, value: Any) -> dict[str, Any]:
    return {"type": "slot", "name": name, "value": value}


FRENCH = slot_is("language", "fr")


def variations(text_of: Callable[[str], str]) -> list[dict[str, Any]]:
    """A response's French variation (slot language is fr), then its English default."""
    return [{"condition": [FRENCH], "text": text_of("fr")}, {"text": text_of("en")}]


def _message(key: str, lang: str) -> dict[str, Any]:
    message: dict[str, Any] = {"text": say(key, lang)}
    if f"{key}_buttons" in catalogue():
        message["buttons"] = [{"title": b["title"], "payload": b["payload"]}
                              for b in sequence(f"{key}_buttons", lang)]
    return message


def responses() -> dict[str, list[dict[str, Any]]]:
    """Every response of ``domain/responses.yml``, by name."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key in CONVERSATION:
        fr, en = _message(key, "fr"), _message(key, "en")
        out[f"utter_{key}"] = [{"condition": [FRENCH], **fr}, en]
    # A second "that's useless" (slot frustrated) gets sorry_again, which ends by
    # offering a person to talk to.
    out["utter_sorry"] = [
        {"condition": [FRENCH, slot_is("frustrated", True)], "text": say("sorry_again", "fr")},
        {"condition": [FRENCH, slot_is("frustrated", False)], "text": say("sorry", "fr")},
        {"condition": [slot_is("language", "en"), slot_is("frustrated", True)],
         "text": say("sorry_again", "en")},
        {"text": say("sorry", "en")},
    ]
    return out


class _Dumper(yaml.SafeDumper):
    """Writes multi-line replies as literal blocks, so a domain file reads like the SMS,
    and repeated conditions in full, without YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def domain_yaml(header: str, responses: dict[str, list[dict[str, Any]]]) -> str:
    """A domain file: ``header`` (comment lines), then the responses."""
    body = yaml.dump({"version": "3.1", "responses": responses}, Dumper=_Dumper,
                     allow_unicode=True, sort_keys=False, width=4096)
    return header + body


def render_responses_yaml() -> str:
    """The full text of ``domain/responses.yml``."""
    header = (
        "# GENERATED from words/conversation.yml by words/domain.py: edit there and run `make words`.\n"
        "# tests/test_words.py fails when this file is out of date.\n"
        "# What rules and stories say, in English (default variation) and French\n"
        "# (condition: language = fr). Emergency replies: domain/safety.yml (also generated).\n"
        "# What only actions send is not in the domain: Rasa would report it as unused.\n"
    )
    return domain_yaml(header, responses())


def main(path: Path = RESPONSES_PATH) -> None:
    """Write ``domain/responses.yml``."""
    path.write_text(render_responses_yaml(), encoding="utf-8")


if __name__ == "__main__":
    main()
