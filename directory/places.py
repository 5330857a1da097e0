"""The demo region's gazetteer and offline place resolution.

Free text such as "near the market", "a vanier", "cote de sable" or
"Rideau & Dalhousie" resolves to a shipped place, accent-insensitively and
with typos tolerated. Text that names no known place raises ``UnknownPlace``:
a silent guess could send someone across town. So does the region as a whole
("Ottawa"): it is no place to search around, and a caller searches region-wide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from directory.datafile import read_yaml, require
from directory.errors import DataFileError, UnknownPlace
from directory.geo import Point, distance_km
from directory.text import FuzzyTable, edit_distance, fold, typo_budget
from words import say

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
# Words that join two streets into an intersection ("Rideau and King Edward", "Murray pis Dalhousie").
CONNECTOR_WORDS = ("and", "n", "et", "pis", "at", "x")
_CONNECTOR = re.compile(r"\s*(?:&|/|@|\+)\s*|\s+(?:" + "|".join(CONNECTOR_WORDS) + r")\s+",
                        re.IGNORECASE)
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
    def __init__(self, places: list[Place], aliases: dict[str, list[str]], center: Point,
                 region_names: frozenset[str] = frozenset()) -> None:
        self.places = {p.id: p for p in places}
        self.center = center
        self.region_names = region_names
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

    def aliases(self) -> dict[str, str]:
        """Every folded name and alias with its place id: the phrases a message may contain."""
        return dict(self._names.names)

    def crossing(self, street_a: str, street_b: str) -> Place | None:
        """The intersection of two streets (by id), if the gazetteer has it."""
        place_id = self._intersections.get(frozenset((street_a, street_b)))
        return self.places[place_id] if place_id else None

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
        if not cleaned or cleaned in self.region_names:
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
                     name={lang: say("near_place", lang, place=area.display(lang))
                           for lang in ("en", "fr")},
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
        """The value of ``key``, or of a name ``key`` is a plausible typo of (:func:`_typo_of`)."""
        found = table.get(key, fuzzy)
        if found is None or key in table:
            return found
        return found if any(_typo_of(key, name) for name, value in table.names.items()
                            if value == found) else None

    def nearest(self, point: Point, kind: str = "neighbourhood") -> Place:
        """The closest place of a kind: how a confidential site's area is named."""
        return min((p for p in self.places.values() if p.kind == kind),
                   key=lambda p: distance_km(point, p.point))


def _typo_of(key: str, name: str) -> bool:
    """Whether ``key`` is ``name`` with a few typos, word for word, its short words intact.

    A phrase's typo budget could otherwise swap a whole short word: "place to" is one
    edit from Lansdowne's "place td", "no place" two from "td place".
    """
    words, target = key.split(), name.split()
    budget = typo_budget(key)
    return (len(words) == len(target)
            and all(a == b for a, b in zip(words, target) if min(len(a), len(b)) <= 2)
            and edit_distance(key, name, budget) <= budget)


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
    region = _region_names(raw.get("region") or {}, path)  # type: ignore[union-attr]
    taken = {fold(a) for p in places for a in (*p.name.values(), *aliases[p.id])}
    require(not region & taken, path,
             f"region aliases also name a place: {sorted(region & taken)}")
    c = raw.get("center") or {}  # type: ignore[union-attr]
    return Gazetteer(places, aliases, Point(float(c.get("lat", 45.4215)), float(c.get("lon", -75.6972))),
                     region)


def _region_names(region: object, path: Path) -> frozenset[str]:
    """The folded names of the whole region ("Ottawa"), which name no place to search around."""
    require(isinstance(region, dict) and isinstance(region.get("aliases", []), list), path,
             "region: expected a mapping whose 'aliases' is a list")
    return frozenset(fold(str(a)) for a in region.get("aliases", []))  # type: ignore[union-attr]


def load(path: Path = DEFAULT_PATH) -> Gazetteer:
    return parse(read_yaml(path, "gazetteer"), path)


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded and validated once per process."""
    return load()


def resolve(text: str) -> Place:
    return get_gazetteer().resolve(text)
