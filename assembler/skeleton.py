"""`assembler new`: a commented case file with every field a court, motion and outcome need.

What a combination needs is derived, not listed by hand: the fields the case-file model
requires, the fields named in the `needs` of the clauses the library writes that order with,
and the case fields those clauses read. A value still to be given is a `[[marker]]`, so the
file renders as it stands, the order showing each marker highlighted where it goes.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CaseFileError
from .rawdata import LocatedData

SCHEMA_FILE = "case.schema.json"
MARKER = re.compile(r"\[\[[A-Za-z0-9_.]+\]\]")

# What a clause's `needs` names (a value of the template context) -> the case-file field
# that gives it. A bundled clause needing something not here fails the skeleton's tests.
NEEDS_FIELDS = {
    "isp": "isp",
    "defendant.ip_address": "defendants.0.ip_address",
    "ruling.renewal_deadline": "ruling.renewal_days",
    "ruling.granted_text": "ruling.granted",
    "ruling.denied_text": "ruling.denied",
    "sealing.order_cite": "sealing.order_doc",
    "referral.judge": "referral.judge",
    "motion.movant_party": "motion.movant",
    "motion.pleading": "motion.movant",
    "ruling.granted_groups": "ruling.granted",
    "ruling.denied_groups": "ruling.denied",
    "motion.opponent": "motion.movant",
    "motion.fees": "motion.timekeepers",
    "motion.fee_basis": "motion.fee_basis",
    "motion.terms": "motion.terms",
    "motion.new_date": "motion.new_date",
    "motion.bond": "motion.bond",
}

# One line on each field a skeleton can hold (list items under index 0).
EXPLAIN = {
    "court": "the courts-db id of the court (`assembler courts WORDS` finds it)",
    "case_number": 'the case number as the caption prints it, e.g. "1:24-cv-01234"',
    "judge_initials": "optional: the judge's initials, printed after the case number",
    "division": "optional: the division, printed under the district (e.g. Eastern Division)",
    "judge": "the judge who signs the order",
    "judge.name": "the judge's full name",
    "judge.title": "or United States Magistrate Judge",
    "plaintiffs": "each plaintiff as the caption names it (add a `- name:` line for more)",
    "plaintiffs.0.name": "the plaintiff's full name",
    "plaintiffs.0.short_name": "the name the order uses after the first mention",
    "defendants": "each defendant as the caption names it",
    "defendants.0.name": "the defendant's full name (John Doe for an unnamed subscriber)",
    "defendants.0.short_name": "the name the order uses after the first mention",
    "defendants.0.ip_address": "the IP address the motion traces, e.g. 192.0.2.15",
    "isp": "the internet service provider to be subpoenaed",
    "sealing": "the earlier order that let a party proceed under a pseudonym",
    "sealing.order_doc": "that order's docket number",
    "motion": "the motion the order decides",
    "motion.kind": "the kind of motion (see `assembler new --help`)",
    "motion.doc": "the motion's docket number, e.g. 22",
    "motion.movant": "who filed the motion: plaintiff or defendant",
    "motion.unopposed": "true if no party opposed the motion",
    "motion.name": "the motion's name as the title prints it, e.g. motion to stay proceedings",
    "motion.fee_basis": "what entitles the movant to fees, e.g. 17 U.S.C. § 505",
    "motion.timekeepers": "each lawyer or paralegal: name, hours, rate",
    "motion.terms": "each term of the injunction (text, and lettered items)",
    "motion.new_date": "the new date asked for, as YYYY-MM-DD",
    "motion.deadline": "what the movant must do by then, e.g. answer the complaint",
    "motion.bond": "the security under Rule 65(c) in dollars (0: no bond is required)",
    "motion.claims": "the claims the motion is about, e.g. Count I (breach of contract)",
    "motion.documents": "the documents the motion is about (one text, or a list)",
    "motion.subpoena": "which subpoena, e.g. served on Example Bank on May 1, 2024",
    "motion.relief": "what the motion asks for",
    "motion.relief.statutory_damages": "the statutory damages asked for, in dollars",
    "motion.relief.per_work": "optional: dollars for each work (with works)",
    "motion.relief.works": "optional: how many works (with per_work)",
    "motion.relief.permanent_injunction": "true if the motion asks for a permanent injunction",
    "motion.relief.fees_and_costs": "true if the motion asks for attorney's fees and costs",
    "motion.relief.fees": "optional: the fees asked for, in dollars",
    "motion.relief.costs": "optional: the costs asked for, in dollars",
    "motion.subscriber_notice_days": "days the ISP has to notify the subscriber",
    "motion.quash_days": "days the subscriber has to move to quash",
    "ruling": "what the court decides",
    "ruling.outcome": "the outcome (see `assembler new --help`)",
    "ruling.granted": "what is granted (one text, or a list)",
    "ruling.denied": "what is denied (one text, or a list)",
    "ruling.renewal_days": "days from the order to renew or amend (counted under Rule 6(a))",
    "ruling.with_prejudice": "true if the dismissal is with prejudice",
    "signed": "where and when the order is signed",
    "signed.place": "the city where the order is signed",
    "signed.date": "the date the order is signed, as YYYY-MM-DD",
    "background": "the facts, in Markdown (footnotes as [^1] with `[^1]: text` anywhere)",
    "discussion": "the court's analysis: the library's legal standard, then yours",
}
# Relief names, for a default judgment's ruling.granted / ruling.denied.
RELIEF = ("statutory_damages", "permanent_injunction", "fees_and_costs")
MOVANTS = {"dismiss": "defendant"}  # who usually files; the file says so either way


@dataclass(frozen=True)
class Combination:
    court: str
    kind: str
    outcome: str


def motion_kinds() -> list[str]:
    """The motion kinds the case file accepts (the bundled registry's)."""
    from .motions import registry

    return registry().ids()


def outcomes_for(kind: str) -> list[str]:
    """The outcomes the motion kind allows (its file in templates/motions/ lists them)."""
    from .motions import registry

    return list(registry().get(kind).outcomes)


def check_combination(court: str, kind: str, outcome: str) -> tuple[Combination, str | None]:
    """The combination with the court as its id; an unknown value names the closest."""
    from .courts import resolve_court_id
    from .suggest import did_you_mean

    try:
        court_id, note = resolve_court_id(court)
    except ValueError as exc:
        raise CaseFileError(str(exc), field="--court") from None
    kinds = motion_kinds()
    if kind not in kinds:
        raise CaseFileError(f"unknown motion kind '{kind}'{did_you_mean(kind, kinds)}; one of "
                            f"{', '.join(kinds)}", field="--motion")
    outcomes = outcomes_for(kind)
    if outcome not in outcomes:
        raise CaseFileError(f"'{outcome}' is not an outcome for a {kind} motion"
                            f"{did_you_mean(outcome, outcomes)}; one of {', '.join(outcomes)}",
                            field="--outcome")
    return Combination(court_id, kind, outcome), note


def needed_fields(combo: Combination) -> tuple[list[str], list[str]]:
    """(fields the order needs a value for, optional fields its clauses read)."""
    from .authoring import clause_uses
    from .case import Case
    from .chambers import Chambers, library_for
    from .order import default_clause_ids

    from .case import Motion, Ruling
    needed = [*_required(Case, ""), *_required(Motion, "motion."), *_required(Ruling, "ruling.")]
    library = library_for(Chambers())
    read: list[str] = []
    for clause_id in default_clause_ids(library, combo.kind, combo.outcome):
        clause = library.get(clause_id)
        for need in clause.needs:
            if need not in NEEDS_FIELDS:
                raise CaseFileError(f"clause {clause_id} needs '{need}', which no case-file "
                                    "field is known to give (skeleton.NEEDS_FIELDS)")
            needed.append(NEEDS_FIELDS[need])
        for use in clause_uses(clause)[0]:
            field = _case_field(use.path)
            if field:
                read.append(field)
    from .motions import registry
    needed += [f"motion.{name}" for name in registry().get(combo.kind).requires]
    if combo.outcome == "granted_in_part":
        needed += ["ruling.granted", "ruling.denied"]
    if combo.kind == "default_judgment":
        from .case import Relief
        read += [f"motion.relief.{name}" for name in Relief.model_fields]
    needed = list(dict.fromkeys(needed))
    return needed, [f for f in dict.fromkeys(read) if f not in needed]


def _required(model: Any, prefix: str) -> list[str]:
    """Dotted paths of the fields a model requires (one item of a required list)."""
    fields: list[str] = []
    for name, info in model.model_fields.items():
        if not info.is_required():
            continue
        path = f"{prefix}{name}"
        annotation = info.annotation
        if typing.get_origin(annotation) is list:
            annotation = typing.get_args(annotation)[0]
            path += ".0"
        inner = getattr(annotation, "model_fields", None)
        fields.extend(_required(annotation, path + ".") if inner else [path])
    return fields


def _case_field(context_path: str) -> str | None:
    """The case-file field a clause's context value reads directly, if it is one."""
    from .case import Case
    from .suggest import keys_at

    path = NEEDS_FIELDS.get(context_path, context_path)
    for alias, plural in (("defendant.", "defendants.0."), ("plaintiff.", "plaintiffs.0.")):
        if path.startswith(alias):
            path = plural + path.removeprefix(alias)
    parts = [int(p) if p.isdigit() else p for p in path.split(".")]
    for depth in range(1, len(parts) + 1):
        if isinstance(parts[depth - 1], int):
            continue
        if parts[depth - 1] not in keys_at(Case, tuple(parts[: depth - 1])):
            return None
    keys = keys_at(Case, tuple(parts))
    return None if keys else ".".join(str(p) for p in parts)  # a leaf, not a mapping


def style_fields(court_id: str) -> tuple[list[str], list[str]]:
    """(fields the court's style needs, optional fields it prints): the style's own fields."""
    from .styles import registry_for

    profile = registry_for().for_court(court_id).profile
    needed: list[str] = []
    optional: list[str] = ["judge_initials"]
    if any("{place}" in line for line in profile.date_block):
        (optional if profile.place_default else needed).append("signed.place")
    if profile.division:
        optional.append("division")
    return needed, optional


# ---- writing the file ------------------------------------------------------------------------

def skeleton_text(combo: Combination) -> str:
    """The commented YAML case file for a combination."""
    from .courts import district_court, find_court

    needed, optional = needed_fields(combo)
    style_needed, style_optional = style_fields(combo.court)
    needed += [f for f in style_needed if f not in needed]
    court = district_court(combo.court) or find_court(combo.court)
    court_name = getattr(court, "district", "") or combo.court
    values = _values(combo, needed, optional)
    from .motions import registry

    title = registry().get(combo.kind).title or "motion"
    lines = [
        f"# yaml-language-server: $schema=./{SCHEMA_FILE}",
        f"# An order on a {title}, {combo.outcome.replace('_', ' ')} ({court_name}).",
        "# Written by `assembler new`. Replace each [[marker]] with the case's own value;",
        "# `assembler render` shows the order with what is still missing marked.",
    ]
    tree: dict[str, Any] = {}
    for path in [*needed, "judge.title", "motion.movant", *optional, *style_optional]:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = path
    lines += _emit(tree, values, "", 0)
    lines += _prose(combo)
    return "\n".join(lines) + "\n"


def _values(combo: Combination, needed: list[str], optional: list[str]) -> dict[str, Any]:
    from .case import Case

    values: dict[str, Any] = {path: f'"[[{path}]]"' for path in needed}
    values.update({"court": combo.court, "motion.kind": combo.kind,
                   "ruling.outcome": combo.outcome})
    for path in ("ruling.granted", "ruling.denied"):
        if path in values:
            values[path] = f'"[[{path}]]"'
    if combo.kind == "default_judgment":
        # Relief is named, not described: ask for all of it; grant and deny by name.
        values.update({"motion.relief.statutory_damages": '"[[motion.relief.statutory_damages]]"',
                       "motion.relief.permanent_injunction": "true",
                       "motion.relief.fees_and_costs": "true"})
        if "ruling.granted" in values:
            values["ruling.granted"] = "[statutory_damages, permanent_injunction]"
            values["ruling.denied"] = "[fees_and_costs]"
    for path in optional:
        if path in values:
            continue
        default = _default(Case, path)
        if isinstance(default, bool):
            values[path] = "true" if default else "false"
        elif isinstance(default, int):
            values[path] = str(default)
    values["judge.title"] = "United States District Judge"
    values["motion.movant"] = MOVANTS.get(combo.kind, "plaintiff")
    # Fields that are lists of mappings: one item with its text marked (numbers to replace).
    if "motion.timekeepers" in values:
        values["motion.timekeepers"] = ('[{name: "[[motion.timekeepers.0.name]]", hours: 1, '
                                        'rate: 1}]')
    if "motion.terms" in values:
        values["motion.terms"] = '[{text: "[[motion.terms.0.text]]"}]'

    return values


def _default(model: Any, path: str) -> Any:
    info = None
    for part in path.split("."):
        if part.isdigit():
            continue
        info = model.model_fields[part]
        annotation = info.annotation
        if typing.get_origin(annotation) is list:
            annotation = typing.get_args(annotation)[0]
        if not hasattr(annotation, "model_fields"):  # `Motion | None`: the model in it
            annotation = next((a for a in typing.get_args(annotation)
                               if hasattr(a, "model_fields")), annotation)
        model = annotation
    return None if info is None else info.default


_FIRST = ("court", "division", "case_number", "judge_initials", "judge", "plaintiffs",
          "defendants", "isp", "sealing", "motion", "ruling", "signed")
_ORDER = {"judge": ["name", "title"], "motion": ["kind", "doc", "movant"],
          "ruling": ["outcome", "granted", "denied"], "signed": ["place", "date"]}


def _emit(tree: dict[str, Any], values: dict[str, Any], prefix: str, depth: int) -> list[str]:
    lines: list[str] = []
    indent = "  " * depth
    names = list(tree)
    if depth == 0:
        names.sort(key=lambda n: _FIRST.index(n) if n in _FIRST else len(_FIRST))
    elif prefix.rstrip(".") in _ORDER:
        first = _ORDER[prefix.rstrip(".")]
        names.sort(key=lambda n: first.index(n) if n in first else len(first))
    for name in names:
        path = f"{prefix}{name}"
        child = tree[name]
        if isinstance(child, dict) and list(child) == ["0"]:  # a list of one mapping
            lines.append(_line(f"{indent}{name}:", EXPLAIN.get(path)))
            item = _emit(child["0"], values, f"{path}.0.", depth + 2)
            item[0] = f"{indent}  - " + item[0].lstrip()
            lines += item
        elif isinstance(child, dict):
            lines.append(_line(f"{indent}{name}:", EXPLAIN.get(path)))
            lines += _emit(child, values, f"{path}.", depth + 1)
        elif values.get(path) is None:  # optional, no value by default: shown, commented
            lines.append(_line(f"{indent}# {name}:", EXPLAIN.get(path)))
        else:
            lines.append(_line(f"{indent}{name}: {values[path]}", EXPLAIN.get(path)))
    return lines


def _line(text: str, comment: str | None) -> str:
    if not comment:
        return text
    return f"{text:<34} # {comment}" if len(text) < 34 else f"{text}  # {comment}"


def _prose(combo: Combination) -> list[str]:
    from .motions import registry
    from .chambers import Chambers, library_for

    library = library_for(Chambers())
    standards = [c for c in registry().get(combo.kind).clause_ids("discussion", combo.outcome)
                 if c.startswith("standard/") and c in library]
    return [
        _line("background: |", EXPLAIN["background"]),
        "  [[background]]",
        _line("discussion:", EXPLAIN["discussion"]),
        *[f"  - clause: {standard}" for standard in standards[:1]],
        "  - text: |",
        "      [[discussion]]",
        "# introduction: and conclusion: are written by the clause library for this motion",
        "# and outcome; write your own text under either key to replace it.",
    ]


def placeholders(located: LocatedData) -> list[str]:
    """The fields whose value is still a `[[marker]]` (or holds one, in prose)."""
    found: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}.{index}")
        elif isinstance(node, str) and MARKER.search(node):
            found.append(path)

    walk(located.data, "")
    return found


def write_skeleton(combo: Combination, output: Path, *, force: bool = False) -> list[Path]:
    """Write the case file (and the JSON Schema beside it when there is none)."""
    import json

    from .case import Case
    from .output import write_atomic

    written = []
    write_atomic(output, skeleton_text(combo).encode("utf-8"), force=force)
    written.append(output)
    schema_path = output.parent / SCHEMA_FILE
    if not schema_path.exists():
        document = Case.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = "assembler case file"
        write_atomic(schema_path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
        written.append(schema_path)
    return written


# ---- a file that still holds markers --------------------------------------------------------

def draft_fields(case_file: Path) -> list[str]:
    """The fields of a case file still holding a `[[marker]]`; [] for an ordinary file."""
    from .rawdata import read_data_file

    if not case_file.is_file():
        return []
    if "[[" not in case_file.read_text(encoding="utf-8", errors="replace"):
        return []
    return placeholders(read_data_file(case_file))


def draft_findings(case_file: Path) -> list[Any]:
    """A pre-filing finding for each field still holding a marker, with its line."""
    from .checks import Finding
    from .errors import Location
    from .rawdata import read_data_file

    located = read_data_file(case_file)
    found = []
    for field in placeholders(located):
        path = tuple(int(p) if p.isdigit() else p for p in field.split("."))
        line = located.line_of(path)
        found.append(Finding("error", "to-fill",
                             Location(file=str(case_file), line=line or None, field=field),
                             "still a [[marker]]: give the case's own value"))
    return found


def render_draft(case_file: Path, output: Path | None, *, force: bool = False,
                 pdf: bool = False, soffice: Path | None = None) -> tuple[Path, Any]:
    """Render a case file that still holds markers as `preview` does: each marker, and each
    value it stands in for, shown highlighted where it goes. Returns the .docx and the
    preview's result."""
    from .errors import OutputError
    from .preview import preview
    from .render import output_name_for_number
    from .rawdata import read_data_file

    data = read_data_file(case_file).data
    number = data.get("case_number") if isinstance(data, dict) else None
    name = output_name_for_number(str(number or "case"))
    if output is None:
        target = Path(name)
    elif output.is_dir():
        target = output / name
    else:
        target = output
    for path in (target, target.with_suffix(".pdf") if pdf else None):
        if path is not None and path.exists() and not force:
            raise OutputError("already exists", file=str(path), hint="overwrite")
    result = preview(None, case_file, target, pdf=pdf, soffice=soffice)
    return target, result
