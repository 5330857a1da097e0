"""Points, distances and the grid cells of the spatial index."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_KM = 6371.0088
# Grid cells of ~550 m: 0.005 degree of latitude by 0.007 of longitude (at 45°N).
CELL_LAT = 0.005
CELL_LON = 0.007
_LON_CELLS = 100_000


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"coordinates out of range: {self.lat}, {self.lon}")


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def cell_of(lat: float, lon: float) -> int:
    """The grid cell holding a point, as one integer key."""
    return math.floor(lat / CELL_LAT) * _LON_CELLS + math.floor(lon / CELL_LON) % _LON_CELLS


def bounding_box(center: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a circle."""
    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * max(math.cos(math.radians(center.lat)), 0.01))
    return center.lat - dlat, center.lat + dlat, center.lon - dlon, center.lon + dlon


def cells_within(center: Point, radius_km: float) -> list[int]:
    """Every cell that intersects the bounding box of a circle."""
    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * max(math.cos(math.radians(center.lat)), 0.01))
    lat0, lat1 = math.floor((center.lat - dlat) / CELL_LAT), math.floor((center.lat + dlat) / CELL_LAT)
    lon0, lon1 = math.floor((center.lon - dlon) / CELL_LON), math.floor((center.lon + dlon) / CELL_LON)
    return [i * _LON_CELLS + j % _LON_CELLS
            for i in range(lat0, lat1 + 1) for j in range(lon0, lon1 + 1)]
