"""Taxonomy mapping files: foreign terms (AIRS/211, Open Eligibility...) to canonical codes.

A mapping file is YAML::

    taxonomy: AIRS/211          # a label, shown in reports
    map:                        # taxonomy_term.code -> canonical code
      BH-1800.8500: shelter
    names:                      # taxonomy_term.name -> canonical code (optional)
      Shower Facilities: shower

Codes match hierarchically, as AIRS codes are built: a term coded
``BH-1800.8500-185`` takes the mapping of its longest mapped ancestor
(``BH-1800.8500``, then ``BH-1800``...), cutting at ``.`` and ``-``. Names
match accent- and case-insensitively. Every target must be a canonical code;
mistakes are reported with the file's line numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from directory.hsds.reports import RowError
from directory.taxonomy import CODES
from directory.text import fold

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "taxonomy_mappings"


@dataclass(frozen=True)
class TaxonomyMapping:
    taxonomy: str
    by_code: dict[str, str]
    by_name: dict[str, str]

    def code_for(self, term_code: str | None, term_name: str | None) -> str | None:
        """The canonical code a foreign term maps to, if any."""
        code = (term_code or "").strip().upper()
        while code:
            if code in self.by_code:
                return self.by_code[code]
            cut = max(code.rfind("."), code.rfind("-"))
            code = code[:cut] if cut > 0 else ""
        return self.by_name.get(fold(term_name or "")) if term_name else None


def load_mapping(path: Path) -> tuple[TaxonomyMapping | None, list[RowError]]:
    """Read and check a mapping file; returns the mapping, or ``None`` and every problem."""
    name = path.name
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [RowError(name, None, None, f"cannot read the mapping file: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        return None, [RowError(name, line, None, f"not valid YAML: {exc}")]
    if not isinstance(root, yaml.MappingNode):
        return None, [RowError(name, None, None, "expected a mapping with 'taxonomy' and 'map'")]
    sections = {k.value: v for k, v in root.value}
    errors: list[RowError] = []
    unknown = sorted(set(sections) - {"taxonomy", "map", "names"})
    if unknown:
        errors.append(RowError(name, None, None, f"unknown keys {unknown}"))
    taxonomy = sections.get("taxonomy")
    if not isinstance(taxonomy, yaml.ScalarNode) or not taxonomy.value:
        errors.append(RowError(name, None, "taxonomy", "say which taxonomy this maps (a name)"))
    if "map" not in sections:
        errors.append(RowError(name, None, "map", "missing the 'map' section"))
    by_code = _section(name, sections.get("map"), "map", str.upper, errors)
    by_name = _section(name, sections.get("names"), "names", fold, errors)
    if errors:
        return None, errors
    assert isinstance(taxonomy, yaml.ScalarNode)
    return TaxonomyMapping(taxonomy.value, by_code, by_name), []


def _section(file: str, node: yaml.Node | None, key: str, normalise: Callable[[str], str],
             errors: list[RowError]) -> dict[str, str]:
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        errors.append(RowError(file, node.start_mark.line + 1, key, "expected a mapping"))
        return {}
    out: dict[str, str] = {}
    for k, v in node.value:
        line = k.start_mark.line + 1
        if not isinstance(k, yaml.ScalarNode) or not isinstance(v, yaml.ScalarNode):
            errors.append(RowError(file, line, key, "expected 'term: canonical_code'"))
            continue
        term = normalise(k.value.strip())
        if v.value not in CODES:
            errors.append(RowError(file, line, k.value, f"unknown category {v.value!r}; "
                                   f"canonical codes are: {', '.join(CODES)}"))
        elif term in out:
            errors.append(RowError(file, line, k.value, "listed twice"))
        else:
            out[term] = v.value
    return out
