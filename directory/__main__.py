"""``python -m directory``: see ``directory.cli``."""

from directory.cli import run

run()
