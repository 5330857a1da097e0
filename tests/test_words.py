"""The catalogue (words/*.yml) holds every sentence Waypoint says, in English and French.

Checked here: each key has both languages and is in one file only; both languages have
the same blanks; every key is used and every key the code names exists; the domain
files generated from the catalogue are up to date; and Python code holds no sentence
a person reads (the checker, and a test that it catches a planted one).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import words
from safety.replies import DOMAIN_PATH, load_hotlines, render_domain_yaml
from words.domain import CONVERSATION, RESPONSES_PATH, render_responses_yaml, responses

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "words").glob("*.yml"))
PACKAGES = ("actions", "bot", "conversation", "safety", "directory", "words", "portal")
# The web page's templates name their sentences as t("key", ...).
TEMPLATE_KEY = re.compile(r'\bt\("([a-z0-9_]+)"')


def template_keys() -> dict[str, set[str]]:
    return {str(p.relative_to(ROOT)): set(TEMPLATE_KEY.findall(p.read_text(encoding="utf-8")))
            for p in sorted((ROOT / "portal" / "templates").glob("*.html"))}


def raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_catalogue_is_one_file_per_topic() -> None:
    """Only topic files of sentences: no other data format hides in the folder."""
    assert {"safety.yml", "search.yml", "channels.yml", "directory.yml"} <= {p.name for p in FILES}
    others = [p.name for p in (ROOT / "words").iterdir()
              if p.suffix not in (".yml", ".py") and p.name != "__pycache__"]
    assert not others
    assert all(isinstance(raw(p), dict) and raw(p) for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_key_has_an_english_and_a_french_text(path: Path) -> None:
    for key, texts in raw(path).items():
        assert isinstance(texts, dict) and set(texts) == {"en", "fr"}, key
        for text in texts.values():
            assert (isinstance(text, str) and text.strip()) or (isinstance(text, list) and text), key


def test_no_key_is_in_two_files() -> None:
    seen: dict[str, str] = {}
    for path in FILES:
        for key in raw(path):
            assert key not in seen, f"{key} is in {seen[key]} and {path.name}"
            seen[key] = path.name
    assert set(seen) == set(words.catalogue())


def _blanks(value: object) -> set[str]:
    if isinstance(value, str):
        return words.blanks(value)
    if isinstance(value, list):
        return set().union(*(_blanks(v) for v in value))
    if isinstance(value, dict):
        return set().union(*(_blanks(v) for v in value.values()))
    return set()


def test_both_languages_have_the_same_blanks() -> None:
    """Help-line blanks ({emergency_911}, {femaide.name}) are exempt: they are filled from
    the hotline file whatever the language, and a French reply may name a
    French-language line the English one does not. Every other blank is a value the
    code passes, so a blank in one language only would fail in that language alone."""
    hotlines = set(load_hotlines())
    for key, texts in words.catalogue().items():
        en, fr = ({b for b in _blanks(texts[lang]) if b.split(".")[0] not in hotlines}
                  for lang in ("en", "fr"))
        assert en == fr, (key, en ^ fr)


def test_lists_have_the_same_shape_in_both_languages() -> None:
    for key, texts in words.catalogue().items():
        if isinstance(texts["en"], list):
            shape = [sorted(i) if isinstance(i, dict) else type(i).__name__ for i in texts["en"]]
            assert shape == [sorted(i) if isinstance(i, dict) else type(i).__name__
                             for i in texts["fr"]], key


# ---------------------------------------------------------------- used and existing keys

def python_sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _quoted_strings() -> set[str]:
    found: set[str] = set()
    for path in python_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found.union(*template_keys().values())


def test_every_key_is_used() -> None:
    """Named as a string in the code, or sent by Rasa as a generated response
    (``utter_<key>`` in domain/*.yml; ``<key>_buttons`` go with ``utter_<key>``)."""
    named = _quoted_strings()
    generated = {name.removeprefix("utter_") for path in (RESPONSES_PATH, DOMAIN_PATH)
                 for name in raw(path)["responses"]}
    buttons = {f"{key}_buttons" for key in CONVERSATION}
    unused = sorted(set(words.catalogue()) - named - generated - buttons)
    assert not unused, f"no code or domain response uses {unused}"


# Functions that take a catalogue key, and where the key is among their arguments:
# first, or second after an action's dispatcher (``actions.replies.say``).
KEY_TAKERS = {("words", "say"): 0, ("words", "sequence"): 0, ("words", "template"): 0,
              ("safety.replies", "say"): 0, ("safety.replies", "help_reply"): 0,
              ("actions.replies", "say"): 1}


def named_keys(source: str) -> set[str]:
    """The constant keys ``source`` passes to the catalogue's functions, however imported."""
    tree = ast.parse(source)
    local: dict[str, int] = {}  # local name of a function -> where its key is
    modules: dict[str, str] = {}  # local name of a module -> module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (node.module, alias.name) in KEY_TAKERS:
                    local[alias.asname or alias.name] = KEY_TAKERS[(node.module, alias.name)]
        elif isinstance(node, ast.Import):
            modules.update({a.asname or a.name: a.name for a in node.names})
    keys: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, at = node.func, None
        if isinstance(func, ast.Name):
            at = local.get(func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            at = KEY_TAKERS.get((modules.get(func.value.id, ""), func.attr))
        if at is not None and len(node.args) > at:
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                keys.add(arg.value)
    return keys


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    """A typo in a key would fail only when that sentence is said; this fails now."""
    sources = [*python_sources(), *(p for p in sorted((ROOT / "tests").rglob("*.py"))
                                     if p != Path(__file__))]
    missing = {f"{p.relative_to(ROOT)}: {key}" for p in sources
               for key in named_keys(p.read_text(encoding="utf-8"))
               if key not in words.catalogue()}
    missing |= {f"{name}: {key}" for name, keys in template_keys().items() for key in keys
                if key not in words.catalogue()}
    assert template_keys(), "the portal's templates were not found"
    assert not missing, sorted(missing)


def test_the_key_finder_follows_the_imports() -> None:
    sample = ("import words\nfrom actions.replies import say\n"
              "from safety.replies import say as channel_text\nfrom sqlalchemy import text\n"
              'say(dispatcher, "ask_place", lang)\nwords.say("area", lang, area=a)\n'
              'channel_text("unsupported", lang)\nsay(dispatcher, self.reply, lang)\n'
              'text("select 1")\nstate.text("en")\n')
    assert named_keys(sample) == {"ask_place", "area", "unsupported"}


# ---------------------------------------------------------------- generated domain files

@pytest.mark.parametrize("path, render", [(RESPONSES_PATH, render_responses_yaml),
                                          (DOMAIN_PATH, render_domain_yaml)],
                         ids=["responses.yml", "safety.yml"])
def test_generated_domain_files_are_up_to_date(path: Path, render) -> None:
    text = render()
    assert path.read_text(encoding="utf-8") == text, f"stale {path.name}: run make words"
    header = "".join(text.splitlines(keepends=True)[:3])
    assert header.startswith("# GENERATED from words/") and "run `make words`" in header


def test_domain_responses_have_a_french_and_an_english_variation_and_no_blank() -> None:
    for name, variations in responses().items():
        conditions = [v.get("condition") for v in variations]
        assert conditions[0][0] == {"type": "slot", "name": "language", "value": "fr"}, name
        assert conditions[-1] is None, name
        # Rasa fills {slot} blanks in responses: a stray brace would change the text.
        assert all("{" not in v["text"] for v in variations), name
    assert raw(RESPONSES_PATH)["responses"] == responses()


# ---------------------------------------------------------------- the loader

def test_english_unless_french_and_values_go_in_as_written() -> None:
    assert words.say("area", "fr", area="Vanier") == "secteur Vanier"
    assert words.say("area", "es", area="{x}") == words.say("area", None, area="{x}") == "{x} area"


def test_a_missing_value_is_an_error_naming_key_and_blank() -> None:
    with pytest.raises(KeyError, match=r"area.*\{area\}"):
        words.say("area", "en")


def test_lists_and_texts_have_their_own_accessors() -> None:
    assert words.sequence("weekdays", "fr")[6] == "dimanche"
    with pytest.raises(TypeError):
        words.say("weekdays", "en")
    with pytest.raises(TypeError):
        words.sequence("area", "en")
    with pytest.raises(KeyError, match="no sentence"):
        words.say("no_such_key", "en")


@pytest.mark.parametrize("files, message", [
    ({"a.yml": 'greet: {en: "Hi"}\n'}, r"a\.yml: 'greet' needs exactly an 'en' and an 'fr'"),
    ({"a.yml": 'greet: {en: "Hi", fr: "Salut", es: "Hola"}\n'}, r"a\.yml: 'greet' needs"),
    ({"a.yml": 'greet: {en: "Hi", fr: "Salut"}\n', "b.yml": 'greet: {en: "Yo", fr: "Yo"}\n'},
     r"b\.yml: 'greet' is also in a\.yml"),
    ({"a.yml": 'days: {en: [Mon, Tue], fr: [lun]}\n'}, r"a\.yml: 'days': the lists"),
    ({"a.yml": 'greet: {en: "Hi", fr: [Salut]}\n'}, r"a\.yml: 'greet': 'en' and 'fr' must"),
    ({"a.yml": 'greet: {en: "", fr: "Salut"}\n'}, r"a\.yml: 'greet': empty"),
])
def test_a_broken_catalogue_is_refused_naming_file_and_key(tmp_path: Path, files: dict,
                                                           message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(words.CatalogueError, match=message):
        words.catalogue(tmp_path)


def test_nothing_is_read_at_import_and_words_needs_no_other_package() -> None:
    code = ("import sys, words, words.domain\n"
            "assert words._load.cache_info().currsize == 0, 'read at import'\n"
            "words.say('greet', 'fr')\n"
            "mine = {'actions', 'bot', 'conversation', 'directory', 'safety', 'settings', 'rasa'}\n"
            "assert not mine & {m.split('.')[0] for m in sys.modules}, sorted(mine & set(sys.modules))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


# ---------------------------------------------------------------- no sentence in Python

LETTERS = "A-Za-zÀ-ÖØ-öø-ÿŒœ"
WORD = re.compile(rf"[{LETTERS}]+(?:['’-][{LETTERS}]+)*")
FRENCH = re.compile(r"[àâçéèêëîïôûùüÿœÀÂÇÉÈÊËÎÏÔÛÙÜŸŒ]")
PUNCTUATION = "\"'“”«»()[]{},.;:!?¿¡…-–—"

LOGGING = {"debug", "info", "warning", "error", "exception", "critical"}
HELP_KEYWORDS = {"help", "description", "epilog"}
ERROR_EXITS = {"_fail", "require", "BadParameter", "SystemExit", "exit"}

# Code whose strings nobody Waypoint serves reads: not checked.
NOT_SAID = {
    "bot/patches.py": "what each patch to Rasa works around, for developers",
    "directory/generate.py": "services made up for benchmarks",
    "directory/hsds/": "HSDS package metadata and import reports for data partners, in "
                       "English as the standard is",
}
# Operator tools print for whoever runs the service, in English like the logs, so only
# French words are flagged in them. Their commands that show services to peer workers
# and providers are checked in full: what those print follows --lang (words/cli.yml).
OPERATOR_TOOLS = {
    "bot/channels/telegram_cli.py": set(),
    "bot/retention.py": set(),
    "directory/cli.py": {"search", "show", "hours", "_listing_table", "_provider_update"},
}
ALLOWED_TEXTS = {
    "Québec": "a region of the hotline file's schema, matched against the data",
    "en français": "what a /lang command feeds to the assistant on the person's behalf",
    "français": "a word a person may type after /lang",
    "ID / health card": "a row label of `directory show`; its labels name the --json "
                        "fields and are English in both languages (not yet translated)",
}


def _words(text: str) -> list[str]:
    """Runs of letters between spaces (punctuation around them aside), so identifiers
    (``last_service_id``), paths, URLs and SQL are not words."""
    tokens = (token.strip(PUNCTUATION) for token in text.split())
    return [t for t in tokens if len(t) >= 2 and WORD.fullmatch(t)]


def french(text: str) -> bool:
    """Whether ``text`` has a word with a French accent."""
    return any(FRENCH.search(w) for w in _words(text))


def sentence_like(text: str) -> bool:
    """Three words or more, or any word with a French accent."""
    return len(_words(text)) >= 3 or french(text)


def _text_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # an f-string reads as one text, values as blanks
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _call_name(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def _is_log_call(node: ast.Call) -> bool:
    if not (isinstance(node.func, ast.Attribute) and node.func.attr in LOGGING):
        return False
    owner = node.func.value
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
    return "log" in name.lower()


def sentences(source: str, where: str = "") -> list[tuple[int, str]]:
    """(line, text) of each sentence-like string ``source`` holds where a person could
    read it. ``where`` is the file's path from the repository root, for the allowlist.

    Not counted, because no person Waypoint serves reads them:
    - docstrings;
    - messages for developers and operators: log calls (``logger.info(…)``), anything
      under ``raise`` or in an exception class, the helpers that raise (``require``)
      and the error exits of the CLIs (``_fail``, ``typer.BadParameter``,
      ``SystemExit``), the ``help``, ``description`` and ``epilog`` of their options,
      and comment lines (``"# …"``) written at the top of generated files; in the
      operator tools (``OPERATOR_TOOLS``), all but French words;
    - what is read rather than said: arguments of ``re`` calls (patterns), word lists
      (``"…".split()``) and Rasa intent payloads (``"/set_filter{…}"``);
    - the ``"error"`` of JSON error bodies, which client software reads;
    - the places and texts allowlisted above, each with its reason.
    """
    tree = ast.parse(source)
    skip: set[int] = set()
    people_facing = OPERATOR_TOOLS.get(where)
    checked_in_full: set[int] = set()

    def skip_all(node: ast.AST) -> None:
        skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _text_of(body[0].value) is not None:
                skip_all(body[0])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                people_facing and node.name in people_facing):
            checked_in_full.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.Raise):
            skip_all(node)
        elif isinstance(node, ast.ClassDef) and any(
                re.search(r"(Error|Exception)$", getattr(b, "id", getattr(b, "attr", "")))
                for b in node.bases):
            skip_all(node)
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            if _is_log_call(node) or name in ERROR_EXITS:
                skip_all(node)
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == "re":
                skip_all(node)
            elif name == "split" and isinstance(node.func, ast.Attribute):
                skip_all(node.func.value)
            for keyword in node.keywords:
                if keyword.arg in HELP_KEYWORDS:
                    skip_all(keyword.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "error":
                    skip_all(value)
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)  # read once, as the whole f-string

    found = []
    for node in ast.walk(tree):
        text = _text_of(node)
        if text is None or id(node) in skip or text.startswith(("/", "#")):
            continue
        if text in ALLOWED_TEXTS:
            continue
        in_full = people_facing is None or id(node) in checked_in_full
        if sentence_like(text) if in_full else french(text):
            found.append((node.lineno, text))
    return sorted(found)


def _not_said(where: str) -> bool:
    return any(where == place or (place.endswith("/") and where.startswith(place))
               for place in NOT_SAID)


def test_python_code_holds_no_user_facing_sentence() -> None:
    """Sentences go in words/*.yml, said with ``words.say`` (see words/__init__.py)."""
    found = []
    for path in sorted(p for package in PACKAGES[:-1] for p in (ROOT / package).rglob("*.py")):
        where = str(path.relative_to(ROOT))
        if _not_said(where):
            continue
        found += [f"{where}:{line}: {text!r}"
                  for line, text in sentences(path.read_text(encoding="utf-8"), where)]
    assert not found, "move these to words/*.yml:\n" + "\n".join(found)


PLANTED = '''
"""A module docstring is not said: it has many words in it."""
import logging, re
logger = logging.getLogger(__name__)
GREETING = "Sorry, we are closed today."
WHERE = "Où êtes-vous?"
PHRASE = f"Open until {time} tonight, come by"

def reply(lang):
    """A docstring with plenty of words."""
    logger.info("the turn took too long, sending the fallback")
    if lang is None:
        raise ValueError("no language was given to this function")
    STOP = "a an the of to is it".split()
    NOW = re.compile(r"\\b(right now|this evening)\\b")
    body = {"error": "send a JSON object with sender and message"}
    option = dict(help="Only open at the given time")
    return "/set_filter{\\"filter\\": \\"open_now\\"}", "service_at_location_id", "Québec"

class NotFoundError(Exception):
    def __init__(self, what):
        super().__init__(f"I could not find {what} anywhere")
'''


def test_the_checker_catches_a_planted_sentence_and_nothing_else() -> None:
    assert sentences(PLANTED) == [(5, "Sorry, we are closed today."), (6, "Où êtes-vous?"),
                                  (7, "Open until {} tonight, come by")]


def test_the_checker_reads_operator_tools_for_french_words_only() -> None:
    source = ('def stats():\n    print("deleted all the old entries")\n    print("État")\n'
              'def show():\n    print("the address of this service")\n')
    assert sentences(source, "directory/cli.py") == [(3, "État"),
                                                     (5, "the address of this service")]
    assert sentences(source, "directory/other.py") == [(2, "deleted all the old entries"),
                                                       (3, "État"),
                                                       (5, "the address of this service")]


@pytest.mark.parametrize("text, expected", [
    ("Reply for more", True), ("près de", True), ("Tél.", True), ("Call", False),
    ("open_now", False), ("set WAYPOINT_PUBLIC_URL", False), ("km", False),
    ("PRAGMA journal_mode=WAL", False), ("https://api.telegram.org", False),
])
def test_what_counts_as_a_sentence(text: str, expected: bool) -> None:
    assert sentence_like(text) is expected
