"""A hearing's settings, read from ``Process.settings`` through one typed class."""

from __future__ import annotations

from dataclasses import dataclass

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


@dataclass(frozen=True)
class HearingSettings:
    #: Map tiles the browser loads (``{z}/{x}/{y}``); empty: the map draws only the places, no background.
    tile_url: str = OSM_TILES
    tile_attribution: str = OSM_ATTRIBUTION
    #: Where the map opens: latitude, longitude and zoom.
    center_lat: float = 60.1699
    center_lon: float = 24.9384
    zoom: int = 13
    #: Longest comment, in characters.
    max_comment_length: int = 5000

    @classmethod
    def of(cls, process) -> "HearingSettings":
        raw = process.settings or {}
        known = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        try:
            return cls(**known)
        except TypeError:
            return cls()
