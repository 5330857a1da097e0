"""What an import or export tells its caller: counts, warnings, and every error at once.

An import is all or nothing, so a rejected one must say everything that is
wrong in one go (file, row, field), not the first problem per attempt.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from directory.errors import DirectoryError

Progress = Callable[[str, int, int], None]
SHOWN_ERRORS = 50


@dataclass(frozen=True)
class RowError:
    """One problem in a package.

    ``row`` is the spreadsheet row: the header is row 1, so the first data row
    is row 2 (for a YAML mapping file it is the line). ``None`` means the whole
    file, or a column.
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"


@dataclass
class Findings:
    """The errors and warnings an import gathers while it reads and checks a package."""

    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, file: str, row: int | None, field_name: str | None, message: str) -> None:
        self.errors.append(RowError(file, row, field_name, message))


class HsdsImportError(DirectoryError):
    """The package was rejected; nothing was written. ``errors`` lists every problem."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = [str(e) for e in errors[:SHOWN_ERRORS]]
        if len(errors) > SHOWN_ERRORS:
            lines.append(f"and {len(errors) - SHOWN_ERRORS} more")
        super().__init__(f"HSDS package rejected, nothing imported ({len(errors)} "
                         f"problem{'s' if len(errors) != 1 else ''}):\n  " + "\n  ".join(lines))


@dataclass(frozen=True)
class ResourceCount:
    """Rows of one table: read from the file, and written to the database."""

    read: int
    upserted: int

    def __str__(self) -> str:
        return f"{self.read} read, {self.upserted} upserted"


@dataclass
class ImportReport:
    """What an import did.

    ``unmapped_services`` are (id, name) of imported services left with no
    canonical category: search will not find them until they get one.
    ``ignored_resources`` are tables with rows that Waypoint does not store.
    ``skipped`` are the rows ``skip_invalid_rows`` left out, each with its
    problem or the skipped row it depended on. ``kept`` are (id, name, kinds)
    of services whose provider changes the import left as they were: "beds",
    "closure", "hours".
    """

    counts: dict[str, ResourceCount] = field(default_factory=dict)
    unmapped_services: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str, list[str]]] = field(default_factory=list)
    # Rows an import that skips invalid rows left out, each with its reason.
    skipped: list[RowError] = field(default_factory=list)
    ignored_resources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ExportReport:
    """Rows written per table, and where."""

    folder: Path
    counts: dict[str, int] = field(default_factory=dict)


def write_problems(path: Path, problems: list[RowError]) -> None:
    """Problems as CSV (file, row, field, reason), for a spreadsheet."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "row", "field", "reason"])
        writer.writerows([e.file, "" if e.row is None else e.row, e.field or "", e.message]
                         for e in problems)
