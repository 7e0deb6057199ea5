"""Motion kinds as data: a registry of `motions/<id>.yaml` files, bundled or in a chambers folder.

A kind file names the motion (its title phrase), the rule it arises under, the outcomes it
allows, what its granted/denied items are, which fields the wording depends on, and the
clauses that write each section. Adding a kind is adding a file; no Python changes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .errors import CaseFileError
from .rawdata import read_data_file
from .resources import bundled_templates

OUTCOMES = ("granted", "denied", "denied_without_prejudice", "granted_in_part", "moot")
OTHER = "other"
SECTIONS = ("introduction", "discussion", "conclusion")
# Fields whose wording a kind may depend on (`requires:`); each is a one-line error when absent.
REQUIRABLE = ("movant", "name", "pleading", "timekeepers", "fee_basis", "new_date", "terms",
              "bond", "claims", "documents", "deadline", "subpoena")


def _clause_id(value: str) -> str:
    if not value or value.startswith("/") or ".." in value or "\\" in value:
        raise ValueError(f"'{value}' is not a clause id")
    return value


ClauseId = Annotated[str, AfterValidator(_clause_id)]


class _KindFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    rule: str = ""
    asks: str = ""    # what the movant asks the order to do: "awarding attorney’s fees"
    outcomes: list[Literal["granted", "denied", "denied_without_prejudice", "granted_in_part",
                           "moot"]] = Field(min_length=1)
    items: Literal["text", "relief", "amount"] = "text"   # amount: in part = a reduced sum
    relief: dict[str, str] = {}
    requires: list[Literal[REQUIRABLE]] = []  # type: ignore[valid-type]
    movant: Literal["plaintiff", "defendant"] | None = None
    attachments: list[str] = []
    clauses: dict[Literal["introduction", "discussion", "conclusion"], list[ClauseId]] = {}


@dataclass(frozen=True)
class MotionKind:
    """One kind of motion, as its file describes it."""

    id: str
    title: str                       # "motion to dismiss": the phrase titles and clauses print
    rule: str
    asks: str
    outcomes: tuple[str, ...]
    items: str                       # "text" (claims, requests) or "relief" (named relief)
    relief: dict[str, str]           # relief key -> words ("statutory_damages": "statutory damages")
    requires: tuple[str, ...]
    movant: str | None               # the side assumed when the case names none
    attachments: tuple[str, ...]     # attachment clause ids a case may ask for
    clauses: dict[str, tuple[str, ...]]
    path: Path | None

    def clause_ids(self, section: str, outcome: str) -> list[str]:
        """The clause ids that may write `section` for `outcome` (`{outcome}` filled in)."""
        dashed = outcome.replace("_", "-")
        return [c.replace("{outcome}", dashed) for c in self.clauses.get(section, ())]


OTHER_KIND = MotionKind(id=OTHER, title="", rule="", asks="", outcomes=OUTCOMES, items="text",
                        relief={}, requires=("name",), movant=None, attachments=(),
                        clauses={}, path=None)


def read_kind(path: Path) -> MotionKind:
    """Read and check one kind file; an error names the file, the line and the field."""
    from pydantic import ValidationError

    from .case import validation_message

    located = read_data_file(path)
    if not isinstance(located.data, dict):
        raise CaseFileError("a motion kind file must be a mapping of fields", file=str(path),
                            line=1)
    try:
        kind = _KindFile.model_validate(located.data)
    except ValidationError as exc:
        message, field_path = validation_message(exc, of_case=False)
        raise CaseFileError(message, file=str(path), line=located.line_of(field_path),
                            field=".".join(map(str, field_path)) or None) from None
    if kind.id != path.stem:
        raise CaseFileError(f"the id '{kind.id}' does not match the file name '{path.name}'",
                            file=str(path), line=located.line_of(("id",)), field="id")
    if kind.id == OTHER:
        raise CaseFileError("'other' is built in (any motion, named by the case)",
                            file=str(path), line=located.line_of(("id",)), field="id")
    return MotionKind(id=kind.id, title=kind.title, rule=kind.rule, asks=kind.asks,
                      outcomes=tuple(kind.outcomes), items=kind.items, relief=dict(kind.relief),
                      requires=tuple(kind.requires), movant=kind.movant,
                      attachments=tuple(kind.attachments),
                      clauses={k: tuple(v) for k, v in kind.clauses.items()}, path=path)


class MotionRegistry:
    """Motion kinds found in one or more folders; earlier folders win for the same id."""

    def __init__(self, folders: Iterable[Path]):
        self.folders = tuple(Path(f) for f in folders)
        self._paths: dict[str, Path] = {}
        for folder in reversed(self.folders):
            for path in sorted(folder.glob("*.yaml")):
                self._paths[path.stem] = path
        self._loaded: dict[str, MotionKind] = {OTHER: OTHER_KIND}

    def ids(self) -> list[str]:
        return sorted({*self._paths, OTHER})

    def __contains__(self, kind_id: str) -> bool:
        return kind_id == OTHER or kind_id in self._paths

    def get(self, kind_id: str) -> MotionKind:
        if kind_id not in self._loaded:
            if kind_id not in self._paths:
                raise CaseFileError(f"'{kind_id}' is not a motion kind (known: "
                                    f"{', '.join(self.ids())}; see `assembler motions`)",
                                    field="motion.kind")
            self._loaded[kind_id] = read_kind(self._paths[kind_id])
        return self._loaded[kind_id]

    def all(self) -> list[MotionKind]:
        return [self.get(i) for i in self.ids()]


def bundled_motions() -> Path:
    return bundled_templates() / "motions"


@lru_cache(maxsize=1)
def bundled_kind_ids() -> tuple[str, ...]:
    """The bundled kinds' ids (for the schema's enum and the CLI's choices)."""
    return tuple(sorted({p.stem for p in bundled_motions().glob("*.yaml")} | {OTHER}))


@lru_cache(maxsize=16)
def registry(folders: tuple[Path, ...] = ()) -> MotionRegistry:
    """The registry of a chambers' motion folders (searched first) and the bundled kinds."""
    return MotionRegistry([*folders, bundled_motions()])


# ---- the motions a case rules on ----------------------------------------------------------

PLEADING_WORDS = {"complaint": "complaint", "amended_complaint": "amended complaint",
                  "counterclaim": "counterclaim",
                  "third_party_complaint": "third-party complaint"}
AMENDED_WORDS = {"complaint": "amended complaint", "amended_complaint": "further amended complaint",
                 "counterclaim": "amended counterclaim",
                 "third_party_complaint": "amended third-party complaint"}
# (the pleader's role, the role of the party it accuses), in the words of the Rules
PLEADING_ROLES = {"complaint": ("plaintiff", "defendant"),
                  "amended_complaint": ("plaintiff", "defendant"),
                  "counterclaim": ("counterclaimant", "counterclaim defendant"),
                  "third_party_complaint": ("third-party plaintiff", "third-party defendant")}


@dataclass(frozen=True)
class OrderMotion:
    """One motion the order rules on, with its kind, its ruling and where the case gives it."""

    kind: MotionKind
    motion: object              # case.Motion
    ruling: object              # case.Ruling
    motion_field: str           # "motion" or "motions.0": prefix for errors
    ruling_field: str           # "ruling" or "motions.0"
    movant_side: str | None     # "plaintiff" | "defendant" | None
    movant_indexes: tuple[int, ...]   # indexes into that side's parties

    @property
    def name(self) -> str:
        """The motion's name in running text ("motion to dismiss")."""
        return self.motion.name if self.kind.id == OTHER else self.kind.title  # type: ignore

    @property
    def pleading(self) -> str | None:
        """What a motion to dismiss attacks: given, or read from the movant's side."""
        given = getattr(self.motion, "pleading", None)
        if given:
            return given
        return {"defendant": "complaint", "plaintiff": "counterclaim"}.get(self.movant_side or "")


def ruled_motions(case: object, motions: MotionRegistry) -> list[OrderMotion]:
    """The case's motions in order (`motion` + `ruling`, or each entry of `motions`), checked
    against their kinds: the kind exists, the outcome is one it allows, required fields given."""
    from .case import Motion, Ruling

    entries: list[tuple[object, object, str, str]]
    listed = getattr(case, "motions", None)
    if listed:
        entries = []
        for index, entry in enumerate(listed):
            motion = Motion.model_validate({k: getattr(entry, k) for k in Motion.model_fields})
            ruling = Ruling.model_validate({k: getattr(entry, k) for k in Ruling.model_fields})
            entries.append((motion, ruling, f"motions.{index}", f"motions.{index}"))
    else:
        entries = [(case.motion, case.ruling, "motion", "ruling")]  # type: ignore[attr-defined]
    result = []
    for motion, ruling, motion_field, ruling_field in entries:
        kind = _kind(motions, motion.kind, motion_field)  # type: ignore[attr-defined]
        outcome = ruling.outcome  # type: ignore[attr-defined]
        if outcome not in kind.outcomes:
            from .suggest import did_you_mean
            label = motion.name if kind.id == OTHER else kind.id  # type: ignore[attr-defined]
            raise CaseFileError(
                f"the outcome '{outcome}' is not available for a {label} motion (it allows "
                f"{', '.join(kind.outcomes)}){did_you_mean(outcome, kind.outcomes)}",
                field=f"{ruling_field}.outcome")
        for required in kind.requires:
            if getattr(motion, required, None) in (None, "", []):
                raise CaseFileError(f"a motion of kind {kind.id} needs {required} (its wording "
                                    f"depends on it){_REQUIRED_HINTS.get(required, '')}",
                                    field=f"{motion_field}.{required}")
        side, indexes = _movant(case, motion, kind, motion_field)
        result.append(OrderMotion(kind, motion, ruling, motion_field, ruling_field, side,
                                  indexes))
    return result


_REQUIRED_HINTS = {
    "movant": ": plaintiff, defendant, a party such as defendants.1, or a list of parties",
    "name": ": the motion's name, e.g. 'motion to stay proceedings'",
}


def _kind(motions: MotionRegistry, kind_id: str, motion_field: str) -> MotionKind:
    if kind_id in motions:
        return motions.get(kind_id)
    from .suggest import did_you_mean
    known = motions.ids()
    listed = ", ".join(f"'{k}'" for k in known[:-1]) + f" or '{known[-1]}'"
    raise CaseFileError(f"'{kind_id}' is not one of {listed}{did_you_mean(kind_id, known)}",
                        field=f"{motion_field}.kind")


def _movant(case: object, motion: object, kind: MotionKind, motion_field: str
            ) -> tuple[str | None, tuple[int, ...]]:
    """The moving side and the indexes of the moving parties on it."""
    given = getattr(motion, "movant", None)
    if given is None:
        given = kind.movant
    if given is None:
        return None, ()
    refs = given if isinstance(given, list) else [given]
    sides, indexes = set(), []
    for number, ref in enumerate(refs):
        field = f"{motion_field}.movant" + (f".{number}" if isinstance(given, list) else "")
        side_word, _, position = ref.partition(".")
        side = side_word.rstrip("s")
        parties = getattr(case, f"{side}s")
        sides.add(side)
        if position:
            if int(position) >= len(parties):
                raise CaseFileError(f"'{ref}': the case lists {len(parties)} {side}"
                                    f"{'s' * (len(parties) != 1)} (counting from 0)",
                                    field=field)
            indexes.append(int(position))
        elif side_word.endswith("s"):
            indexes.extend(range(len(parties)))
        else:
            indexes.append(0)
        if len(sides) > 1:
            raise CaseFileError("the movants must be on one side (plaintiffs or defendants)",
                                field=field)
    return sides.pop(), tuple(dict.fromkeys(indexes))


def check_motions(case: object, case_dir: Path) -> None:
    """Check the case's motions against their kinds (bundled, or in its chambers folder)."""
    folders: tuple[Path, ...] = ()
    chambers = getattr(case, "chambers", None)
    if chambers:
        try:
            folder = (case_dir / chambers / "motions").resolve()
            sys.audit("assembler.probe", str(folder))  # looked for (memo.py)
            if folder.is_dir():
                folders = (folder,)
        except (OSError, ValueError):
            return  # a chambers path that cannot be read: rendering says so, with its line
    ruled_motions(case, registry(folders))
