"""The case file: pydantic models, and loading YAML/JSON with errors that name file, line, field."""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field,
                      ValidationError, field_validator, model_validator)

from .courts import resolve_court_id
from .errors import AssemblerError, CaseFileError
from .rawdata import LocatedData, apply_override, parse_override, read_data_file
from .values import Amount, CalendarDate, Count, Days, one_line

# XML 1.0 forbids these; pasted text carries them (form feeds, vertical tabs, NULs).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(value: str) -> str:
    bad = _XML_ILLEGAL.search(value)
    if bad:
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X} at "
                         f"position {bad.start() + 1}, which a Word document cannot hold")
    reserved = _RESERVED.search(value)
    if reserved:
        raise ValueError(f"contains the private-use character U+{ord(reserved.group()):04X} at "
                         f"position {reserved.start() + 1}, which assembler reserves")
    return value


_RESERVED = re.compile("[\ue000\ue001]")


Text = Annotated[str, AfterValidator(_xml_safe)]
"""Any text that reaches the document: checked for XML-illegal characters."""


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Name = Annotated[Text, AfterValidator(_non_blank)]

OUTCOMES = ("granted", "denied", "denied_without_prejudice", "granted_in_part", "moot")
Outcome = Literal["granted", "denied", "denied_without_prejudice", "granted_in_part", "moot"]


def _kind_schema(schema: dict[str, Any]) -> None:
    # The bundled kinds for editors' completion; a chambers folder may define others.
    from .motions import bundled_kind_ids
    schema["anyOf"] = [{"enum": list(bundled_kind_ids())},
                       {"type": "string", "description": "a kind in the chambers folder"}]


MotionKind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", json_schema_extra=_kind_schema)]
"""A motion kind's id: bundled (`assembler motions`) or a chambers folder's `motions/<id>.yaml`."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _one_text_is_a_list(cls, data: Any) -> Any:
        """`granted: "Count II"` is a one-item list: a list of text given one text."""
        if isinstance(data, dict):
            lists = _text_list_fields(cls)
            if any(isinstance(data.get(name), str) for name in lists):
                data = {k: [v] if k in lists and isinstance(v, str) else v
                        for k, v in data.items()}
        return data


@lru_cache(maxsize=None)
def _text_list_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields of `model` that are (optionally) a list of text or of names."""
    import types
    import typing

    names = set()
    for name, info in model.model_fields.items():
        shapes = [info.annotation]
        if typing.get_origin(info.annotation) in (Union, types.UnionType):
            shapes = [a for a in typing.get_args(info.annotation) if a is not type(None)]
        if len(shapes) == 1 and typing.get_origin(shapes[0]) is list:
            (item,) = typing.get_args(shapes[0])
            base = typing.get_args(item)[0] if typing.get_origin(item) is Annotated else item
            if typing.get_origin(base) in (Union, types.UnionType):  # text or a mapping
                base = next((typing.get_args(a)[0] if typing.get_origin(a) is Annotated else a
                             for a in typing.get_args(base)), None)
            if base is str or typing.get_origin(base) is Literal:
                names.add(name)
    return frozenset(names)


class Party(Model):
    """A party as named in the caption; a pseudonymous party also has a sealed true name."""

    name: Name
    short_name: Text | None = None
    pseudonym: bool = False
    sealed_name: Name | None = None
    ip_address: Annotated[str, AfterValidator(lambda v: str(ipaddress.ip_address(v)))] | None = None
    minor: bool = False

    @model_validator(mode="after")
    def _sealed_needs_pseudonym(self) -> "Party":
        if self.sealed_name and not self.pseudonym:
            raise ValueError("sealed_name is given, so pseudonym must be true")
        return self


class Judge(Model):
    name: Name
    title: Name = "United States District Judge"


class Sealing(Model):
    """The order that let a party proceed under a pseudonym or file under seal."""

    order_doc: Count


class Relief(Model):
    """What a motion asks for; amounts are dollars."""

    statutory_damages: Amount | None = None
    per_work: Amount | None = None
    works: Count | None = None
    permanent_injunction: bool = False
    fees_and_costs: bool = False
    fees: Amount | None = None
    costs: Amount | None = None

    @model_validator(mode="after")
    def _per_work_needs_works(self) -> "Relief":
        if (self.per_work is None) != (self.works is None):
            raise ValueError("per_work and works go together (an amount for each of N works)")
        return self


def _movant_ref(value: str) -> str:
    if not re.fullmatch(r"plaintiffs?|defendants?|(plaintiffs|defendants)\.\d+", value):
        raise ValueError(f"'{value}' is not a side (plaintiff, defendant) or a party "
                         "(plaintiffs.0, defendants.1, ...)")
    return value


MovantRef = Annotated[str, AfterValidator(_movant_ref)]
Pleading = Literal["complaint", "amended_complaint", "counterclaim", "third_party_complaint"]


class Timekeeper(Model):
    """One lawyer or paralegal on a fee motion: hours x hourly rate."""

    name: Name
    hours: Decimal = Field(gt=0)
    rate: Amount
    role: Text | None = None


class Reduction(Model):
    """A cut to the lodestar: a percentage or an amount, with the reason the court gives."""

    reason: Name
    percent: Decimal | None = Field(default=None, gt=0, le=100)
    amount: Amount | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> "Reduction":
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give either percent or amount")
        return self


class Term(Model):
    """One decretal term of an injunction, optionally with lettered sub-items."""

    text: Name
    items: list[Name] = []


class Motion(Model):
    kind: MotionKind
    name: Text | None = None          # for kind: other ("motion to stay proceedings")
    doc: Count
    docs: list[Count] = []      # several docket numbers (the motion and its exhibits)
    movant: MovantRef | list[MovantRef] | None = None
    movant_name: Text | None = None   # a group name for several movants ("Moving Defendants")
    pleading: Pleading | None = None  # what a motion to dismiss attacks
    unopposed: bool = False
    relief: Relief = Relief()
    subscriber_notice_days: Days = 30
    quash_days: Days = 30
    attach: list[Name] = []           # attachments asked for ("subscriber-notice")
    # attorneys_fees
    fee_basis: Text | None = None
    timekeepers: list[Timekeeper] = []
    reductions: list[Reduction] = []
    costs: Amount | None = None
    # preliminary_injunction, temporary_restraining_order
    bond: Amount | None = None
    terms: list[Term] = []
    # extension_of_time
    deadline: Text | None = None      # what is extended ("the time to answer the complaint")
    new_date: CalendarDate | None = None
    # summary_judgment, quash_subpoena, judicial_notice, redaction
    claims: list[Name] = []
    subpoena: Text | None = None
    documents: list[Name] = []
    expenses: Literal["award", "excused"] | None = None   # compel: Rule 37(a)(5)

    @model_validator(mode="before")
    @classmethod
    def _docs_give_doc(cls, data: Any) -> Any:
        """`docs: [29, 31]` (a motion filed in several entries) gives `doc` its first number."""
        if isinstance(data, dict) and "doc" not in data and isinstance(data.get("docs"), list) \
                and data["docs"]:
            data = {**data, "doc": data["docs"][0]}
        return data

    @model_validator(mode="after")
    def _doc_among_docs(self) -> "Motion":
        if self.docs and self.doc not in self.docs:
            raise ValueError("doc and docs disagree: give docs alone (all the numbers)")
        return self


class ItemRuling(Model):
    """A granted or denied item with its own disposition."""

    item: Name
    prejudice: Literal["with", "without"] | None = None
    amend_days: Days | None = None   # leave to amend within N days (Rule 6(a))
    moot: bool = False


Item = Union[Name, ItemRuling]


class Ruling(Model):
    outcome: Outcome
    renewal_days: Days | None = None
    granted: list[Item] = []
    denied: list[Item] = []
    with_prejudice: bool = False
    closes_case: bool | None = None   # None: the library decides from the ruling


class RuledMotion(Motion, Ruling):
    """One entry of `motions:`: the motion and its ruling together."""


class Referral(Model):
    """A motion referred to a magistrate judge: who referred it, and the referral order."""

    judge: Name
    doc: Count | None = None


class Signed(Model):
    place: Name | None = None   # the style decides whether its date block prints it
    date: CalendarDate


class ProseText(Model):
    text: Text
    when: list[Outcome] | None = None


class ProseClause(Model):
    clause: Name
    when: list[Outcome] | None = None


ProseBlock = Union[ProseText, ProseClause]
Prose = Union[Text, list[ProseBlock]]


DocumentKind = Literal["order", "opinion", "memorandum_and_order", "report_and_recommendation"]


class Section(Model):
    """One section in the court's own order: an optional heading and Markdown or blocks."""

    heading: Text | None = None
    text: Text | None = None
    blocks: list[ProseBlock] | None = None

    @model_validator(mode="after")
    def _text_or_blocks(self) -> "Section":
        if self.text is not None and self.blocks is not None:
            raise ValueError("give either text or blocks, not both")
        return self


class Roles(Model):
    """Each side's role word in the caption (made plural for several parties or "et al.")."""

    plaintiffs: Name | None = None
    defendants: Name | None = None


class Case(Model):
    """Everything an order needs: who, which motion, the ruling, and the judge's prose."""

    # One motion (motion + ruling) or several (motions), as the validator below insists.
    model_config = ConfigDict(**Model.model_config, json_schema_extra={
        "anyOf": [{"required": ["motion", "ruling"]}, {"required": ["motions"]}]})

    court: Name
    case_number: Name
    judge_initials: Text | list[Name] | None = None
    judge: Judge
    plaintiffs: list[Party] = Field(min_length=1)
    defendants: list[Party] = Field(min_length=1)
    isp: Text | None = None
    sealing: Sealing | None = None
    motion: Motion | None = None
    ruling: Ruling | None = None
    motions: list[RuledMotion] | None = Field(default=None, min_length=1)
    signed: Signed
    chambers: Text | None = None
    referral: Referral | None = None
    introduction: Prose | None = None
    background: Prose | None = None
    discussion: Prose | None = None
    conclusion: Prose | None = None
    # The order's shape (court styles, README "Court styles").
    style: Name | None = None
    title: Name | None = None
    document: DocumentKind = "order"
    publication: Name | None = None
    division: Name | None = None
    regarding: list[Count] = []
    roles: Roles | None = None
    sections: list[Section] | None = None

    @model_validator(mode="after")
    def _sections_or_named_sections(self) -> "Case":
        if self.sections is not None:
            named = [n for n in ("introduction", "background", "discussion", "conclusion")
                     if getattr(self, n) is not None]
            if named:
                raise ValueError(f"give either sections or {', '.join(named)}, not both")
        return self

    @model_validator(mode="after")
    def _one_motion_form(self) -> "Case":
        if self.motions is not None:
            if self.motion is not None or self.ruling is not None:
                raise ValueError("give either motions (a list) or motion and ruling, not both")
        elif self.motion is None or self.ruling is None:
            raise ValueError("a case needs motion and ruling (or motions, a list)")
        return self

    @field_validator("court")
    @classmethod
    def _known_court(cls, value: str) -> str:
        # A citation form ("N.D. Ill.") is read as its id; `court_note` says so.
        return resolve_court_id(value)[0]

    @field_validator("case_number")
    @classmethod
    def _case_number_is_a_line(cls, value: str) -> str:
        return one_line(value)  # U+2028, NEL and the rest count as line breaks too


# ---- loading -------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown key (check the spelling; see `assembler schema`)",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
    "decimal_parsing": "must be a number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "dict_type": "must be a mapping of fields",
}


def _message(error: dict[str, Any], path: tuple[str | int, ...] = ()) -> str:
    from .suggest import did_you_mean, keys_at

    kind = error["type"]
    value = error.get("input")
    if "reason" in error.get("ctx", {}):  # worded where it was raised (values.py)
        return str(error["ctx"]["reason"])
    if kind == "extra_forbidden" and path:
        hint = did_you_mean(str(path[-1]), keys_at(Case, path[:-1]))
        return f"unknown key{hint or ' (check the spelling)'}; see `assembler schema`"
    if kind == "greater_than" and error.get("ctx", {}).get("gt") == 0:
        return "must be a positive integer"
    if kind == "less_than_equal":
        return f"must be at most {error.get('ctx', {}).get('le'):,}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"invalid date '{value}' (write it as YYYY-MM-DD)"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        hint = did_you_mean(str(value), re.findall(r"'([^']*)'", expected))
        return f"'{value}' is not one of {expected}{hint}"
    if kind == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        if "does not appear to be an IPv4 or IPv6 address" in text:
            return f"invalid IP address '{value}'"
        return text
    if kind == "too_short":
        return "must list at least one"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return error["msg"][0].lower() + error["msg"][1:]


def field_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-branch labels (e.g. 'str', 'list[...]', 'ProseText') from a location."""
    return tuple(p for p in loc if isinstance(p, int) or not (
        p[:1].isupper() or "[" in p or p in ("str", "function-after")))


_SHAPE_ERRORS = {"string_type", "list_type", "model_type", "model_attributes_type", "dict_type"}


def _actionable(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The error a user can act on. A union reports errors for each shape a value may take;
    the shape with fewest complaints, other than one of the wrong type, is the meant one."""
    branches: dict[tuple, list[dict[str, Any]]] = {}
    for error in errors:
        labels = tuple(p for p in error["loc"] if p not in field_path(error["loc"]))
        branches.setdefault(labels, []).append(error)
    if len(branches) == 1:
        return errors[0]
    chosen = min(branches.values(), key=lambda group: (
        all(e["type"] in _SHAPE_ERRORS for e in group), len(group)))
    return chosen[0]


def validation_message(exc: ValidationError, *, of_case: bool = True
                       ) -> tuple[str, tuple[str | int, ...]]:
    """The message and field path of the error a user can act on (`of_case`: spelling hints
    for unknown keys come from the case file's keys)."""
    first = _actionable(exc.errors())
    path = field_path(first["loc"])
    return _message(first, path if of_case else ()), path


def validate_case(located: LocatedData, *, row: int | None = None) -> Case:
    """Validate located plain data into a Case; the first error names its line and field."""
    if not isinstance(located.data, dict):
        raise CaseFileError("a case file must be a mapping of fields", file=located.source,
                            line=located.line_of(()), row=row)
    try:
        return Case.model_validate(located.data)
    except ValidationError as exc:
        message, path = validation_message(exc)
        line = None if row is not None else located.line_of(path)
        source = located.source
        if line == 0:  # the value came from a --set override, not from the file
            source, line = f"{source} (--set)", None
        raise CaseFileError(message, file=source, line=line, row=row,
                            field=".".join(str(p) for p in path) or None) from None


def load_case(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Case:
    """Read, override (`--set dotted.path=value`) and validate a case file."""
    return load_located_case(path, overrides)[0]


def load_located_case(path: str | Path, overrides: list[str] | tuple[str, ...] = ()
                      ) -> tuple[Case, LocatedData]:
    """As `load_case`, also returning the data's line map (to place later errors)."""
    path = Path(path)
    located = read_data_file(path)
    if not isinstance(located.data, dict):
        raise CaseFileError("a case file must be a mapping of fields", file=str(path), line=1)
    for assignment in overrides:
        field_path, value = parse_override(assignment)
        apply_override(located.data, field_path, value)
        for table in (located.lines, located.text_starts):
            for known in list(table):
                if known[: len(field_path)] == field_path:
                    table.pop(known)
        located.lines[field_path] = 0  # line 0 marks "given by --set"
    case = validate_case(located)
    from .footnotes import check_labels
    check_labels(case, located)
    from .motions import check_motions
    try:
        check_motions(case, path.parent)
    except AssemblerError as error:
        locate(error, located)
        raise
    return case, located


def locate(error: "AssemblerError", located: LocatedData) -> None:
    """Give an error raised after validation the case file and the line of its field."""
    if error.file is not None:
        return
    error.file = located.source
    if error.field:
        path = tuple(int(p) if p.isdigit() else p for p in error.field.split("."))
        line = located.line_of(path)
        if line:
            error.line = line
        else:
            error.file = f"{located.source} (--set)" if line == 0 else error.file


def court_note(located: LocatedData, case: Case) -> str | None:
    """The note to print when the case file names its court other than by its id."""
    written = located.data.get("court") if isinstance(located.data, dict) else None
    if not isinstance(written, str) or written == case.court:
        return None
    note = resolve_court_id(written)[1]
    line = located.line_of(("court",))
    return f"{located.source}:{line}: {note}" if line else note
