"""Reading the shipped data files (taxonomy, gazetteer, messages, demo) with clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from directory.errors import DataFileError


def read_yaml(path: Path, what: str) -> Any:
    """The parsed file, or ``DataFileError`` naming the file and what it should hold."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read {what}: {exc}") from exc


def require(cond: bool, path: Path, msg: str) -> None:
    """Stop loading with a message that names the file, when a rule of the format is broken."""
    if not cond:
        raise DataFileError(f"{path}: {msg}")
