"""Finding a package's tables and splitting them into rows of cells, before any value is judged.

A package may say in ``datapackage.json`` which file holds which table, or
rely on the standard HSDS file names; either way only files inside the
package folder are read. A file that cannot be read (not UTF-8, broken CSV,
no header, a column twice) is reported and left out, and its table is marked
unreadable, so that ids pointing at it are not reported again as dangling:
the file's own error already says what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Collection

from directory.hsds.reports import Findings
from directory.hsds.schema import all_specs

DESCRIPTOR = "datapackage.json"


@dataclass
class Table:
    """One CSV file of a package, as text: ``rows`` are (spreadsheet row, cell by column)."""

    name: str
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class Package:
    """The stored tables read from a package, and what was left out."""

    tables: dict[str, Table] = field(default_factory=dict)
    # Tables with rows that Waypoint does not store.
    ignored: list[str] = field(default_factory=list)
    # Stored tables whose file could not be read.
    unreadable: set[str] = field(default_factory=set)


def read_package(folder: Path, stored: Collection[str], findings: Findings) -> Package:
    """The tables named in ``stored`` that the package holds; problems go to ``findings``."""
    return _Reader(stored, findings).read(folder)


class _Reader:
    def __init__(self, stored: Collection[str], findings: Findings) -> None:
        self.stored = stored
        self.findings = findings
        self.package = Package()

    def read(self, folder: Path) -> Package:
        if not folder.is_dir():
            self.findings.error(str(folder), None, None, "not a folder")
            return self.package
        for name, (file, path) in self._locate(folder).items():
            if name not in self.stored and path.suffix.lower() != ".csv":
                continue
            table = self._read_csv(name, file, path)
            if table is None:
                self.package.unreadable.add(name)
                continue
            if name in self.stored:
                self.package.tables[name] = table
            elif table.rows:
                self.package.ignored.append(name)
        if not self.package.tables and not self.findings.errors:
            self.findings.error(str(folder), None, None, "no HSDS tables found (organizations.csv, "
                                "services.csv, locations.csv...)")
        return self.package

    def _locate(self, folder: Path) -> dict[str, tuple[str, Path]]:
        """Resource name -> (file as named in errors, path), from datapackage.json or file names."""
        specs = all_specs()
        by_path = {spec.path: spec.name for spec in specs.values()}
        declared = self._declared(folder / DESCRIPTOR)
        found: dict[str, tuple[str, Path]] = {}
        if declared is None:
            for path in sorted(folder.glob("*.csv")):
                found[by_path.get(path.name, path.name)] = (path.name, path)
            return found
        for n, (name, file) in enumerate(declared):
            pure = PurePosixPath(file)
            key = name if name in specs else by_path.get(pure.name, name or file)
            path = folder / pure
            if key in found:
                self.findings.error(DESCRIPTOR, None, f"resources[{n}].name",
                                    f"{key!r} is declared twice")
            elif "://" in file or pure.is_absolute() or ".." in pure.parts:
                self.findings.error(DESCRIPTOR, None, f"resources[{n}].path",
                                    f"{file!r}: only files inside the package folder can be read")
            elif key in self.stored and not path.is_file():
                self.findings.error(file, None, None, "declared in datapackage.json but missing")
            elif key in self.stored and pure.suffix.lower() != ".csv":
                self.findings.error(file, None, None, "only CSV tables can be imported")
            elif path.is_file():
                found[key] = (file, path)
                continue
            if key in self.stored:
                self.package.unreadable.add(key)
        listed = {path.resolve() for _, path in found.values()}
        for path in sorted(folder.glob("*.csv")):
            if path.resolve() not in listed:
                found.setdefault(path.name, (path.name, path))
        return found

    def _declared(self, descriptor: Path) -> list[tuple[str, str]] | None:
        """(name, path) of each resource in datapackage.json, or None to use the file names."""
        if not descriptor.is_file():
            return None
        try:
            raw = json.loads(descriptor.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            self.findings.error(DESCRIPTOR, None, None,
                                f"not UTF-8 ({exc.reason} at byte {exc.start})")
            return None
        except ValueError as exc:
            self.findings.warnings.append(
                f"{DESCRIPTOR} is not a JSON data package descriptor ({exc}); "
                "read the tables by their standard HSDS file names instead")
            return None
        resources = raw.get("resources") if isinstance(raw, dict) else None
        if not isinstance(resources, list):
            self.findings.error(DESCRIPTOR, None, "resources", "expected a list of resources")
            return []
        declared = []
        for n, res in enumerate(resources):
            path = res.get("path") if isinstance(res, dict) else None
            if not isinstance(path, str):
                self.findings.error(DESCRIPTOR, None, f"resources[{n}].path",
                                    "only a single local file path is supported")
                continue
            name = res.get("name")
            declared.append((name if isinstance(name, str) else "", path))
        return declared

    def _read_csv(self, name: str, file: str, path: Path) -> Table | None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.findings.error(file, None, None, f"cannot read: {exc.strerror}")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            self.findings.error(file, None, None, f"not UTF-8: byte 0x{data[exc.start]:02X} on "
                                f"line {line}; save the file as UTF-8")
            return None
        reader = csv.reader(io.StringIO(text, newline=""))
        records: list[list[str]] = []
        try:
            records = list(reader)
        except csv.Error as exc:
            self.findings.error(file, reader.line_num, None, f"not valid CSV: {exc}")
            return None
        if not records or not any(c.strip() for c in records[0]):
            self.findings.error(file, 1, None, "no header row")
            return None
        header = [c.strip() for c in records[0]]
        duplicated = sorted({c for c in header if header.count(c) > 1})
        for column in duplicated:
            self.findings.error(file, 1, column, "column appears more than once")
        rows = []
        for n, record in enumerate(records[1:], start=2):
            if not any(c.strip() for c in record):
                continue
            if len(record) != len(header):
                self.findings.error(file, n, None,
                                    f"has {len(record)} cells; the header has {len(header)}")
                continue
            rows.append((n, dict(zip(header, record, strict=True))))
        return Table(name, file, header, rows) if not duplicated else None
