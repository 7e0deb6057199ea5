"""Court styles as data: a folder with a Word template and a `style.yaml` profile.

A style decides how an order looks in one court: the heading lines, the caption, where the
title sits, the docket line, heading numbering, the opening line, the closing formula, the
date block and the signature. Styles are found in folders (`--styles DIR`, a chambers
folder's `styles/`, then the bundled `templates/styles/`); the first style that claims a
court id is that court's style, and the style marked `default: true` serves every other
district. Adding a style is adding a folder: no Python changes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import TemplateError
from .rawdata import LocatedData, read_data_file
from .resources import bundled_templates

PROFILE = "style.yaml"
TEMPLATE = "template.docx"
# Every style's template must print these (the order is not an order without them).
REQUIRED_PLACEHOLDERS = ("title", "sections", "caption")
DOCUMENT_KINDS = ("order", "opinion", "memorandum_and_order", "report_and_recommendation")
DOCKET_STYLES = {"doc_hash": "Doc. #{}", "ecf": "ECF No. {}", "dkt": "Dkt. No. {}",
                 "doc_no": "Doc. No. {}"}


class StyleError(TemplateError):
    """A style that cannot be used: unknown name, bad profile, template lacking a placeholder."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signature(_Model):
    """The signature block: `/s/ Name`, a rule to sign on, or room for a signature image."""

    kind: Literal["slash", "rule", "blank"] = "slash"
    name: Literal["as_written", "upper", "none"] = "as_written"
    title: bool = True
    slash_name: bool = True   # with kind slash: the typed name under the /s/ line as well


class Fonts(_Model):
    """What the style's template sets in Normal and Footnote Text (recorded for checks)."""

    body: str = "Times New Roman"
    size: float = 12
    footnote_size: float = 12


class StyleProfile(_Model):
    """Everything a style decides, as `style.yaml` writes it (every key is optional)."""

    description: str = ""
    extends: str | None = None
    template: str | None = None
    courts: list[str] = []
    default: bool = False
    # Court heading: "UNITED STATES DISTRICT COURT" / "DISTRICT OF CONNECTICUT".
    court_prefix: str = ""          # "IN THE"
    district_prefix: str = ""       # "FOR THE"
    court_upper: bool = True
    division: bool = True           # print the case's division under the district
    # Caption.
    number_label: str = "No."
    initials_format: str | list[str] = " ({})"   # per group; the last repeats
    versus: str = "v."
    caption_names: Literal["upper", "as_written"] = "upper"
    plaintiff_role: str = "Plaintiff"
    defendant_role: str = "Defendant"
    title_position: Literal["below_caption", "caption_right"] = "below_caption"
    title_upper: bool = True
    document_titles: dict[str, str] = {
        "order": "ORDER", "opinion": "OPINION",
        "memorandum_and_order": "MEMORANDUM AND ORDER",
        "report_and_recommendation": "REPORT AND RECOMMENDATION"}
    regarding: dict[Literal["one", "many"], str] = {"one": "Re: Dkt. No. {}",
                                                   "many": "Re: Dkt. Nos. {}"}
    # Body.
    heading_numbering: Literal["none", "outline"] = "none"
    heading_styles: list[str] = ["Heading1", "Heading2", "Heading3"]
    opening: str | None = None      # "{NAME}, {title}:"
    closing: str | None = "IT IS SO ORDERED."
    closings: dict[str, str | None] = {}   # per document kind, e.g. opinion
    date_block: list[str] = ["Dated: {date}"]
    place_default: str | None = None
    signature: Signature = Signature()
    fonts: Fonts = Fonts()
    page_numbers: bool = True
    docket_style: Literal["doc_hash", "ecf", "dkt", "doc_no"] = "ecf"
    legend: bool = False            # the court's name down the left margin (N.D. Cal.)


PROFILE_KEYS = frozenset(StyleProfile.model_fields)
_NESTED = ("signature", "fonts")


@dataclass(frozen=True)
class Style:
    """A usable style: its name, folder, template file and the merged profile."""

    name: str
    folder: Path
    template: Path
    profile: StyleProfile
    sources: tuple[Path, ...]   # the profile files read, most specific first

    def with_settings(self, settings: dict[str, Any], source: str) -> "Style":
        """This style with some keys set by a chambers profile or a case file."""
        if not settings:
            return self
        merged = _merge(self.profile.model_dump(exclude_unset=True), settings)
        profile = _validated(merged, LocatedData(settings, {}, source), source)
        return Style(self.name, self.folder, self.template, profile, self.sources)


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if key in _NESTED and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _validated(data: dict[str, Any], located: LocatedData, source: str,
               prefix: tuple[str, ...] = ()) -> StyleProfile:
    try:
        return StyleProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = tuple(p for p in first["loc"] if isinstance(p, (str, int)))
        line = located.line_of(prefix + path) if located.lines else None
        field = ".".join(str(p) for p in prefix + path)
        if first["type"] == "extra_forbidden":
            message = "unknown style profile key (see the README's Court styles)"
        elif first["type"] == "literal_error":
            message = (f"'{first.get('input')}' is not one of "
                       f"{first.get('ctx', {}).get('expected', '')}")
        else:
            message = first["msg"][0].lower() + first["msg"][1:]
        raise StyleError(message, file=source, line=line, field=field or None) from None


@dataclass(frozen=True)
class _Entry:
    name: str
    folder: Path
    raw: dict[str, Any]
    located: LocatedData


class StyleRegistry:
    """The styles in some folders, earlier folders first (a user's style shadows a bundled one)."""

    def __init__(self, folders: tuple[Path, ...] = ()):
        self.folders = tuple(Path(f) for f in folders) + (bundled_styles(),)
        self._entries: dict[str, _Entry] = {}
        for folder in self.folders:
            if not folder.is_dir():
                raise StyleError("styles folder not found", file=str(folder))
            for child in sorted(folder.iterdir()):
                sys.audit("assembler.probe", str(child))  # a style.yaml looked for (memo.py)
                if child.name in self._entries or not (child / PROFILE).is_file():
                    continue
                located = read_data_file(child / PROFILE)
                raw = located.data if located.data is not None else {}
                if not isinstance(raw, dict):
                    raise StyleError("a style profile must be a mapping of keys",
                                     file=str(child / PROFILE), line=1)
                self._entries[child.name] = _Entry(child.name, child, raw, located)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def get(self, name: str, *, asked_in: str | None = None, line: int | None = None,
            field: str | None = None) -> Style:
        """The style called `name`; an unknown name is an error naming where it was asked for."""
        if name not in self._entries:
            from .suggest import closest
            near = closest(name, self.names())
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise StyleError(f"unknown style '{name}'{hint}; styles: {', '.join(self.names())}",
                             file=asked_in, line=line, field=field)
        return _load(self, name, ())

    def for_court(self, court_id: str) -> Style:
        """The style that claims `court_id`, or the default style."""
        return self.get(self.name_for_court(court_id))

    def name_for_court(self, court_id: str) -> str:
        default = None
        for name, entry in self._entries.items():
            courts = entry.raw.get("courts") or []
            if isinstance(courts, list) and court_id in courts:
                return name
            if _yaml_bool(entry.raw.get("default")) is True and default is None:
                default = name
        if default is None:
            raise StyleError(f"no style claims the court '{court_id}' and no style is the "
                             "default (`default: true`)", field="court")
        return default


def _load(registry: StyleRegistry, name: str, seen: tuple[str, ...]) -> Style:
    entry = registry._entries[name]
    source = str(entry.folder / PROFILE)
    if name in seen:
        raise StyleError(f"style '{name}' extends itself (through {' -> '.join(seen)})",
                         file=source, field="extends")
    unknown = sorted(set(entry.raw) - PROFILE_KEYS)
    if unknown:
        raise StyleError("unknown style profile key (see the README's Court styles)",
                         file=source, line=entry.located.line_of((unknown[0],)),
                         field=unknown[0])
    parent_name = entry.raw.get("extends")
    parent = None
    if parent_name is not None:
        if not isinstance(parent_name, str) or parent_name not in registry:
            raise StyleError(f"unknown style '{parent_name}'", file=source,
                             line=entry.located.line_of(("extends",)), field="extends")
        parent = _load(registry, parent_name, seen + (name,))
    merged = _merge(parent.profile.model_dump(exclude_unset=True) if parent else {},
                    {k: v for k, v in entry.raw.items() if k not in ("courts", "default")})
    merged["courts"] = entry.raw.get("courts", [])
    merged["default"] = entry.raw.get("default", False)
    merged = {k: v for k, v in merged.items() if v is not None or k in ("opening", "closing")}
    profile = _validated(merged, entry.located, source)
    if entry.raw.get("template"):
        template = (entry.folder / entry.raw["template"]).resolve()
    elif (entry.folder / TEMPLATE).is_file():
        template = entry.folder / TEMPLATE
    elif parent is not None:
        template = parent.template
    else:
        raise StyleError(f"the style has no {TEMPLATE} and names no template", file=source,
                         field="template")
    if not template.is_file():
        raise StyleError(f"template not found: {template}", file=source, field="template")
    return Style(name, entry.folder, template, profile,
                 (entry.folder / PROFILE,) + (parent.sources if parent else ()))


def _yaml_bool(value: Any) -> Any:
    """The YAML reader keeps scalars as text; true/false (and yes/no) become booleans here."""
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "false", "no", "off"):
        return value.lower() in ("true", "yes", "on")
    return value


def bundled_styles() -> Path:
    return bundled_templates() / "styles"


@lru_cache(maxsize=32)
def registry_for(folders: tuple[str, ...] = ()) -> StyleRegistry:
    """The registry over some folders (cached for a process: styles do not change mid-run)."""
    return StyleRegistry(tuple(Path(f) for f in folders))


def check_template(style: Style, sources: dict[str, str]) -> None:
    """A style's template must use every required placeholder; say which one it lacks."""
    import jinja2
    from jinja2 import meta

    env = jinja2.Environment()
    used: set[str] = set()
    for source in sources.values():
        try:
            used |= meta.find_undeclared_variables(env.parse(source))
        except jinja2.TemplateSyntaxError:
            continue  # the compiled template reports its own syntax errors
    for placeholder in REQUIRED_PLACEHOLDERS:
        if placeholder not in used:
            raise StyleError(f"the template never uses the placeholder '{{{{ {placeholder} }}}}' "
                             f"(every style's template must print it)", file=str(style.template),
                             field=placeholder)


# ---- what the style prints -----------------------------------------------------------------

_KEEP_AS_WRITTEN = re.compile(
    r"\b(et al\.|dba|d/b/a|a/k/a|f/k/a|n/k/a|ex rel\.)", re.IGNORECASE)
_MC = re.compile(r"\b(Mc|Mac)(?=[A-Z])")


def caption_name(name: str, mode: str) -> str:
    """A party's name as the caption prints it: upper-cased, but "et al.", "dba", "d/b/a",
    "a/k/a", "ex rel." kept as written and "Mc"/"Mac" prefixes kept ("McCRIMMON")."""
    if mode == "as_written":
        return name
    pieces = _KEEP_AS_WRITTEN.split(name)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # a kept phrase
            out.append(piece)
            continue
        words = re.split(r"(\s+)", piece)
        for word in words:
            match = _MC.match(word)
            if match:
                out.append(match.group(1) + word[match.end():].upper())
            else:
                out.append(word.upper())
    return "".join(out)


def plural_role(role: str, several: bool) -> str:
    if not several or role.endswith("s"):
        return role
    return role + "s"


def initials_text(groups: list[str], formats: str | list[str]) -> str:
    """["VEC", "SDA"] -> " (VEC) (SDA)"; with ["-{}"], ["DAD", "BAM"] -> "-DAD-BAM"."""
    patterns = [formats] if isinstance(formats, str) else list(formats) or [" ({})"]
    return "".join(patterns[min(i, len(patterns) - 1)].format(g) for i, g in enumerate(groups))


_NUMBERED = re.compile(r"^(?:[IVXLC]+|[A-Z]|\d+|[a-z])[.)]\s")
_HEADING_LINE = re.compile(r"^(#{1,3}) (.+)$", re.MULTILINE)


def roman(number: int) -> str:
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in table:
        while number >= value:
            out += letters
            number -= value
    return out


def number_headings(markdown: str, counters: list[int] | None = None) -> str:
    """Outline numbering: level 1 "I.", level 2 "A.", level 3 "1."; a heading that already
    carries a number keeps it (and still counts). `counters` carries the count across calls."""
    counters = [0, 0, 0] if counters is None else counters

    def label(level: int, count: int) -> str:
        return (roman(count) if level == 1 else
                chr(ord("A") + (count - 1) % 26) if level == 2 else str(count)) + "."

    def replace(match: re.Match[str]) -> str:
        level = len(match.group(1))
        counters[level - 1] += 1
        for deeper in range(level, 3):
            counters[deeper] = 0
        text = match.group(2)
        if _NUMBERED.match(text.replace("\\", "")):
            return match.group(0)
        return f"{match.group(1)} {label(level, counters[level - 1])} {text}"

    return _HEADING_LINE.sub(replace, markdown)
