"""The demo region's gazetteer and offline place resolution.

Free text such as "near the market", "a vanier", "cote de sable" or
"Rideau & Dalhousie" resolves to a shipped place, accent-insensitively and
with typos tolerated. Text that names no known place raises ``UnknownPlace``:
a silent guess could send someone across town.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from directory.datafile import read_yaml, require
from directory.errors import DataFileError, UnknownPlace
from directory.geo import Point, distance_km
from directory.text import FuzzyTable, fold

DEFAULT_PATH = Path(__file__).parent / "data" / "gazetteer.yaml"
KINDS = ("neighbourhood", "street", "intersection", "landmark", "fsa")
_FILLER = {
    "near", "nearby", "close", "to", "around", "at", "in", "on", "by", "the", "of", "im", "i",
    "am", "m", "s", "j", "me", "my", "is", "here", "ici", "vers", "pas", "loin", "area",
    "downtown", "pres", "proche", "de", "du", "des", "a", "au", "aux",
    "le", "la", "les", "l", "dans", "sur", "je", "suis", "coin", "corner", "secteur", "quartier",
}
_STREET_WORDS = {
    "st", "street", "ave", "av", "avenue", "rd", "road", "blvd", "boul", "boulevard", "rue",
    "chemin", "ch", "promenade", "prom", "dr", "drive", "pkwy", "parkway", "way", "e", "w",
    "east", "west", "est", "ouest",
}
_CONNECTOR = re.compile(r"\s*(?:&|/|@|\+)\s*|\s+(?:and|et|at|x)\s+", re.IGNORECASE)
_FSA = re.compile(r"^([a-z]\d[a-z])(?:\s*\d[a-z]\d)?$")
# "45.423,-75.690": a shared location (a Telegram pin), already rounded by the channel.
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
REGION_KM = 60.0  # the widest search ring: a point farther from the centre is not ours


@dataclass(frozen=True)
class Place:
    id: str
    kind: str
    name: dict[str, str]
    point: Point
    province: str
    streets: tuple[str, ...] = ()

    def display(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name["en"]


class Gazetteer:
    def __init__(self, places: list[Place], aliases: dict[str, list[str]], center: Point) -> None:
        self.places = {p.id: p for p in places}
        self.center = center
        names: dict[str, str] = {}
        street_names: dict[str, str] = {}
        for p in places:
            for alias in (*p.name.values(), *aliases.get(p.id, [])):
                key = fold(alias)
                names.setdefault(key, p.id)
                if p.kind == "street":
                    street_names.setdefault(_street_key(key), p.id)
        self._names = FuzzyTable(names)
        self._street_names = FuzzyTable(street_names)
        self._intersections = {frozenset(p.streets): p.id for p in places if p.kind == "intersection"}

    def resolve(self, text: str) -> Place:
        """The place a person means, or ``UnknownPlace``."""
        coordinates = _COORDINATES.match(text)
        if coordinates:
            return self._point(text, float(coordinates.group(1)), float(coordinates.group(2)))
        parts = [part for part in _CONNECTOR.split(text.strip()) if part.strip()]
        if len(parts) == 2:
            return self._intersection(text, parts)
        exact = self._names.get(fold(text), fuzzy=False)
        if exact:
            return self.places[exact]
        words = _strip_filler(fold(text).split())
        cleaned = " ".join(words)
        if not cleaned:
            raise UnknownPlace(text)
        fsa = _FSA.match(cleaned)
        if fsa and fsa.group(1) in self.places:
            return self.places[fsa.group(1)]
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                found = self._lookup(" ".join(words[i:i + size]), self._names,
                                     fuzzy=size == len(words) or size > 1)
                if found:
                    return self.places[found]
        raise UnknownPlace(text)

    def _point(self, text: str, lat: float, lon: float) -> Place:
        """A shared location inside the region, named after its neighbourhood."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UnknownPlace(text)
        point = Point(lat, lon)
        if distance_km(point, self.center) > REGION_KM:
            raise UnknownPlace(text)
        area = self.nearest(point)
        return Place(id=f"point:{lat:.3f},{lon:.3f}", kind="point",
                     name={"en": f"near {area.display('en')}", "fr": f"près de {area.display('fr')}"},
                     point=point, province=area.province)

    def _intersection(self, text: str, parts: list[str]) -> Place:
        streets = []
        for part in parts:
            key = _street_key(" ".join(_strip_filler(fold(part).split())))
            found = self._lookup(key, self._street_names, fuzzy=True)
            if not found:
                raise UnknownPlace(text)
            streets.append(found)
        place_id = self._intersections.get(frozenset(streets))
        if place_id is None:
            raise UnknownPlace(text)
        return self.places[place_id]

    @staticmethod
    def _lookup(key: str, table: FuzzyTable, fuzzy: bool) -> str | None:
        return table.get(key, fuzzy)

    def nearest(self, point: Point, kind: str = "neighbourhood") -> Place:
        """The closest place of a kind: how a confidential site's area is named."""
        return min((p for p in self.places.values() if p.kind == kind),
                   key=lambda p: distance_km(point, p.point))


def _strip_filler(words: list[str]) -> list[str]:
    """Drop leading and trailing filler ("near the", "i'm at", "area") but keep inner words."""
    start, end = 0, len(words)
    while start < end and words[start] in _FILLER:
        start += 1
    while end > start and words[end - 1] in _FILLER:
        end -= 1
    return words[start:end]


def _street_key(folded: str) -> str:
    return " ".join(w for w in folded.split() if w not in _STREET_WORDS) or folded


def parse(raw: object, path: Path) -> Gazetteer:
    require(isinstance(raw, dict) and isinstance(raw.get("places"), list), path,
             "expected a mapping with a 'places' list")
    places: list[Place] = []
    aliases: dict[str, list[str]] = {}
    for n, item in enumerate(raw["places"], 1):  # type: ignore[index]
        require(isinstance(item, dict) and item.get("id"), path, f"place #{n}: needs an id")
        pid = str(item["id"])
        require(item.get("kind") in KINDS, path, f"{pid}: kind must be one of {KINDS}")
        require(isinstance(item.get("name"), dict) and item["name"].get("en"), path,
                 f"{pid}: name needs 'en'")
        try:
            point = Point(float(item["lat"]), float(item["lon"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{path}: {pid}: bad coordinates: {exc}") from exc
        places.append(Place(id=pid, kind=item["kind"], name=dict(item["name"]), point=point,
                            province=str(item.get("province", "ON")),
                            streets=tuple(item.get("streets") or ())))
        aliases[pid] = [str(a) for a in item.get("aliases") or []]
    ids = {p.id for p in places}
    require(len(ids) == len(places), path, "place ids must be unique")
    for p in places:
        if p.kind == "intersection":
            require(len(p.streets) == 2 and all(s in ids for s in p.streets), path,
                     f"{p.id}: an intersection needs two known street ids")
    c = raw.get("center") or {}  # type: ignore[union-attr]
    return Gazetteer(places, aliases, Point(float(c.get("lat", 45.4215)), float(c.get("lon", -75.6972))))


def load(path: Path = DEFAULT_PATH) -> Gazetteer:
    return parse(read_yaml(path, "gazetteer"), path)


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded and validated once per process."""
    return load()


def resolve(text: str) -> Place:
    return get_gazetteer().resolve(text)
