"""A chambers folder: a judge's or court's house style (`profile.yaml`) and its own clauses,
motion kinds and court styles (`clauses/`, `motions/`, `styles/`).

The profile is a pydantic model read with line numbers, like the case file: a bad key or value
is one error naming `profile.yaml`, the line and the key.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, create_model, field_validator

from .case import validation_message
from .clauses import ClauseLibrary
from .errors import CaseFileError
from .rawdata import read_data_file
from .resources import bundled_clauses
from .styles import DOCKET_STYLES, PROFILE_KEYS

# The court-style keys a chambers profile may set over its style (a style's own identity,
# what it claims and where its template is, stay the style's).
STYLE_KEYS = tuple(sorted(PROFILE_KEYS - {"courts", "default", "extends", "template",
                                          "docket_style"}))


class _ProfileKeys(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    docket_style: Literal[tuple(DOCKET_STYLES)] | None = None  # type: ignore[valid-type]
    style: str | None = None             # a style name chosen for every order of the chambers
    straight_quotes: bool = False        # keep quotes as typed instead of typographic ones

    @field_validator("straight_quotes", mode="before")
    @classmethod
    def _true_or_false(cls, value: Any) -> Any:
        value = {"true": True, "false": False}.get(str(value).lower(), value)
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value


# Each style key is checked against the style's own profile when the style is applied.
ChambersProfile = create_model("ChambersProfile", __base__=_ProfileKeys,
                               **{key: (Any, None) for key in STYLE_KEYS})


@dataclass(frozen=True)
class Chambers:
    """A judge's or court's house style: docket citations, signature, own clause language."""

    docket_style: str | None = None       # None: the court style's
    clause_folders: tuple[Path, ...] = ()
    motion_folders: tuple[Path, ...] = ()     # the chambers' own motion kinds (motions/*.yaml)
    magistrate_referral: str | None = None
    straight_quotes: bool = False
    style: str | None = None              # a style name chosen for every order of these chambers
    style_folders: tuple[Path, ...] = ()  # the chambers' own styles (its styles/ folder)
    style_settings: tuple[tuple[str, Any], ...] = ()   # style profile keys the chambers set
    profile_path: str | None = None

    def cite(self, doc: int | str) -> str:
        return DOCKET_STYLES[self.docket_style or "ecf"].format(doc)


def read_profile(path: Path) -> BaseModel:
    """`profile.yaml` validated; the first error names its line and key."""
    located = read_data_file(path)
    data = {} if located.data is None else located.data
    if not isinstance(data, dict):
        raise CaseFileError("a chambers profile must be a mapping of keys", file=str(path),
                            line=located.line_of(()))
    try:
        return ChambersProfile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        message, key_path = validation_message(exc, of_case=False)
        if error["type"] == "extra_forbidden":
            from .suggest import did_you_mean

            hint = did_you_mean(str(key_path[-1]), ChambersProfile.model_fields)
            message = f"unknown key{hint}"
        raise CaseFileError(message, file=str(path), line=located.line_of(key_path[:1]),
                            field=".".join(str(p) for p in key_path) or None) from None


def load_chambers(folder: Path | None) -> Chambers:
    """Read `profile.yaml`, `clauses/`, `motions/` and `styles/` from a chambers folder (all
    optional)."""
    if folder is None:
        return Chambers()
    sys.audit("assembler.probe", str(folder))  # its entries decide what is read (memo.py)
    if not folder.is_dir():
        raise CaseFileError("chambers folder not found", file=str(folder), field="chambers")
    profile_path = folder / "profile.yaml"
    profile = read_profile(profile_path) if profile_path.exists() else ChambersProfile()
    given = profile.model_fields_set
    clauses, motions, styles = folder / "clauses", folder / "motions", folder / "styles"
    return Chambers(docket_style=profile.docket_style, straight_quotes=profile.straight_quotes,
                    clause_folders=(clauses,) if clauses.is_dir() else (),
                    motion_folders=(motions,) if motions.is_dir() else (),
                    style=profile.style,
                    style_folders=(styles,) if styles.is_dir() else (),
                    style_settings=tuple(sorted((key, getattr(profile, key))
                                                for key in given if key in STYLE_KEYS)),
                    profile_path=str(profile_path))


def library_for(chambers: Chambers) -> ClauseLibrary:
    """The clause library an order of these chambers draws on: theirs first, then the
    bundled one."""
    return ClauseLibrary([*chambers.clause_folders, bundled_clauses()])
