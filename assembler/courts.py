"""Court names and locations from the courts-db package (never a hand-made table)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

from . import cache


@dataclass(frozen=True)
class Court:
    """A court as an order's caption names it."""

    id: str
    name: str          # "United States District Court"
    district: str      # "District of Connecticut"
    full_name: str     # as courts-db gives it
    citation: str      # "D. Conn."
    location: str      # "Connecticut"

    @property
    def state_code(self) -> str | None:
        """"CT": the state whose legal holidays count under Rule 6(a)(6)(C)."""
        return _state_code(self.location, self.district)


@lru_cache(maxsize=None)
def find_court(court_id: str) -> Court | None:
    """Look a court up by its courts-db id; None when courts-db does not know it.

    courts-db builds its whole table (thousands of courts and their patterns) on first use;
    the one record an order needs is kept in the cache (whose folder is tied to the installed
    courts-db).
    """
    entry = cache.key("court", court_id)
    # Stored as the record's fields, or an empty mapping for a court courts-db does not know.
    stored = cache.load_value("courts", entry, lambda v: isinstance(v, dict)
                              and set(v) in (set(), set(Court.__dataclass_fields__)))
    if stored is not None:
        return Court(**stored) if stored else None
    court = _lookup(court_id)
    cache.store_value("courts", entry, asdict(court) if court else {})
    return court


def _lookup(court_id: str) -> Court | None:
    import courts_db

    matches = courts_db.find_court_by_id(court_id)
    if not matches:
        return None
    record = matches[0]
    full = record["name"]
    name, district = _split_name(full)
    return Court(
        id=court_id,
        name=name,
        district=district,
        full_name=full,
        citation=record.get("citation_string") or "",
        location=record.get("location") or "",
    )


@lru_cache(maxsize=None)
def _state_code(location: str, district: str) -> str | None:
    # The holidays package loads every country's tables on first use: only pay for it when
    # a deadline is computed.
    import holidays

    aliases = holidays.US.subdivisions_aliases
    code = aliases.get(location)
    if code is None and district:
        place = district.split(" of ", 1)[-1].removeprefix("the ")
        code = aliases.get(place) or aliases.get(district)
    return code


_DIVISIONS = {"N.D.": "Northern", "S.D.": "Southern", "E.D.": "Eastern", "W.D.": "Western",
              "M.D.": "Middle", "C.D.": "Central"}


def _split_name(full: str) -> tuple[str, str]:
    """Split a courts-db name into the caption's two lines.

    courts-db writes most district courts in full ("United States District Court for the
    District of Connecticut") and some in short ("District Court, S.D. New York").
    """
    for joiner in (" for the ", " of the "):
        if joiner in full:
            name, district = full.split(joiner, 1)
            return name, district
    if full.startswith("District Court, "):
        rest = full.removeprefix("District Court, ")
        prefix, _, place = rest.partition(" ")
        if prefix in _DIVISIONS:
            return "United States District Court", f"{_DIVISIONS[prefix]} District of {place}"
        if prefix == "D.":
            return "United States District Court", f"District of {place}"
        if rest.startswith("District of "):
            return "United States District Court", rest
        return "United States District Court", f"District of the {rest}"
    return full, ""
