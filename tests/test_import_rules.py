"""The packages' dependencies point one way; this test keeps them so.

Layers, bottom to top (``docs/architecture.md`` draws them):

    words, settings  ->  directory  ->  safety, conversation  ->  actions, bot, portal

A package may import those below it, never those above or beside it where the
table says no. Every ``import`` counts, also those inside functions, because a lazy
import is still a dependency: the safety net must load with neither Rasa nor the
database, and the action server must run without the channel code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level names it must never import
FORBIDDEN: dict[str, set[str]] = {
    "words": {"rasa", "rasa_sdk", "sqlalchemy", "directory", "safety", "conversation",
              "actions", "bot", "settings"},
    "settings": {"rasa", "rasa_sdk", "directory", "safety", "conversation", "actions",
                 "bot", "words"},
    "directory": {"rasa", "rasa_sdk", "bot", "actions", "safety", "conversation"},
    "safety": {"rasa", "rasa_sdk", "sqlalchemy", "directory", "conversation", "actions",
               "bot"},
    "conversation": {"rasa", "rasa_sdk", "actions", "bot"},
    "actions": {"rasa", "bot"},
    "bot": {"actions", "rasa_sdk"},
    "portal": {"rasa", "rasa_sdk", "bot", "actions", "safety", "conversation"},
}


def top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def sources(package: str) -> list[Path]:
    base = ROOT / package
    return sorted(base.rglob("*.py")) if base.is_dir() else [ROOT / f"{package}.py"]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_nothing_above_it(package: str) -> None:
    files = sources(package)
    assert files and all(f.exists() for f in files), f"{package} has no source"
    broken = {str(f.relative_to(ROOT)): sorted(top_level_imports(f) & FORBIDDEN[package])
              for f in files}
    assert not {f: names for f, names in broken.items() if names}


def test_the_rule_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef later():\n    from rasa.core import agent\n"
                      "    import bot.channels.render\n")
    assert top_level_imports(sample) == {"os", "rasa", "bot"}


def test_every_package_is_in_the_table() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= set(FORBIDDEN), packages - set(FORBIDDEN)
