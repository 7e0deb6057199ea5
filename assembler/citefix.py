"""`check --fix`: write the missing italics around case names into the case file itself.

Only a case name the cite-check reported as not in italics is touched, and only by putting
`*` on either side of it: a docket number, judges' initials, a reporter or a pin cite is never
inside the name (cites.py ends the name before them). The edit is made in the file's own text,
so comments, quoting, layout, line endings (CRLF stays CRLF) and a byte-order mark are kept.
Where a bare `*` would change what YAML reads (a plain scalar that would begin with `*` is an
alias), that one value is rewritten as a double-quoted string. The result is read back before
anything is replaced: every value must be what it was, except the fixed texts, which must be
the old text with the new asterisks and nothing else. The file a symlink names is the one
rewritten (the link stays a link), with a numbered backup beside it.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CaseFileError
from .rawdata import Path_


@dataclass
class ItalicsPlan:
    """What `--fix` would write: the file's old and new text, and what it could not fix."""

    path: Path                # the file the case file's name leads to (a symlink resolved)
    old: str
    new: str
    fixed: list[str] = field(default_factory=list)     # "line 12: Maples v. Warren"
    skipped: list[str] = field(default_factory=list)   # names it could not place

    def diff(self, label: str) -> str:
        return "".join(difflib.unified_diff(
            self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
            fromfile=f"{label} (before)", tofile=f"{label} (fixed)"))


def _quote_pattern(text: str) -> str:
    """A regex for `text` in which straight and curly quotes stand for each other."""
    out = []
    for ch in text:
        if ch in "'’‘":
            out.append("['’‘]")
        elif ch in '"“”':
            out.append('["“”]')
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _wrap_on_line(line: str, name: str, tail: str) -> str | None:
    """`line` with `*name*` where `name` stands before the start of its citation, or None."""
    lead = tail[:4]
    pattern = re.compile(rf"(?<![*\w])({_quote_pattern(name)})(?=\\?{_quote_pattern(lead)})"
                         if lead else rf"(?<![*\w])({_quote_pattern(name)})(?![*\w])")
    match = pattern.search(line)
    if match is None or line[match.end():match.end() + 1] == "*":
        return None
    return f"{line[:match.start()]}*{match.group(1)}*{line[match.end():]}"


def _value_at(data: Any, path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


def _set_value(data: Any, path: Path_, value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _yaml_node(text: str, path: Path_) -> Any:
    """The YAML scalar node of `path` (for its position and style)."""
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next(v for k, v in node.value if k.value == key)
        else:
            node = node.value[key]
    return node


def _line_start(text: str, number: int) -> int:
    """The offset of 1-based line `number` in `text`."""
    position = 0
    for _ in range(number - 1):
        position = text.index("\n", position) + 1
    return position


def plan_italics(case_file: Path, overrides: tuple[str, ...] | list[str] = ()) -> ItalicsPlan:
    """Work out the italics `--fix` would add to `case_file`, verified by reading it back."""
    from .case import load_located_case
    from .cites import case_checker
    from .rawdata import parse_json_text, parse_yaml_text

    real = Path(os.path.realpath(case_file))
    try:
        old = real.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError("not valid UTF-8 text", file=str(case_file)) from None
    except OSError as exc:
        raise CaseFileError(f"cannot read: {exc.strerror}", file=str(case_file)) from None
    is_json = real.suffix.lower() == ".json"
    case, located = load_located_case(case_file, overrides)
    checker = case_checker(case, located, Path(case_file).parent)
    plan = ItalicsPlan(real, old, old)
    if checker is None:
        return plan
    checker.run()

    def parse(text: str) -> Any:
        body = text[1:] if text.startswith("\ufeff") else text
        return (parse_json_text if is_json else parse_yaml_text)(body, str(case_file)).data

    current = parse(old)   # what the file reads as, with the fixes made so far
    text = old
    for offset, name, tail in checker.unitalicised:
        piece = checker._piece_at(offset)
        start = located.text_starts.get(piece.origin)
        line_number = start if start is not None else located.lines.get(piece.origin)
        if piece.kind != "case" or line_number is None:
            plan.skipped.append(f"{name} (not written in the case file)")
            continue
        markdown_line = piece.plain.line_at(offset - piece.start)
        value = _value_at(current, piece.origin)
        value_lines = value.split("\n")
        if markdown_line >= len(value_lines):
            plan.skipped.append(f"{name} (line {line_number + markdown_line})")
            continue
        fixed_line = _wrap_on_line(value_lines[markdown_line], name, tail)
        if fixed_line is None:
            plan.skipped.append(f"{name} (line {line_number + markdown_line}: the name is "
                                "split across lines or already partly marked up)")
            continue
        value_lines[markdown_line] = fixed_line
        new_value = "\n".join(value_lines)
        want = copy.deepcopy(current)
        _set_value(want, piece.origin, new_value)
        candidate = _edit_file(text, line_number + (markdown_line if start is not None else 0),
                               name, tail, is_json)
        if (candidate is None or not _reads_as(candidate, want, parse)) and not is_json:
            # A folded scalar (`>`) joins its lines: the name may stand on any of them.
            candidate = next((c for n in _scalar_lines(text, piece.origin)
                              if (c := _edit_file(text, n, name, tail, is_json)) is not None
                              and _reads_as(c, want, parse)), None)
        if candidate is None or not _reads_as(candidate, want, parse):
            candidate = None if is_json else _requote(text, piece.origin, new_value)
            if candidate is not None and not _reads_as(candidate, want, parse):
                candidate = None
        if candidate is None:
            plan.skipped.append(f"{name} (line {line_number + markdown_line})")
            continue
        text, current = candidate, want
        plan.fixed.append(f"line {line_number + markdown_line}: {name}")
    plan.new = text
    return plan


def _edit_file(text: str, line_number: int, name: str, tail: str, is_json: bool) -> str | None:
    """Add the asterisks on the file's own line (comments and layout untouched)."""
    try:
        begin = _line_start(text, line_number)
    except ValueError:
        return None
    end = text.find("\n", begin)
    end = len(text) if end < 0 else end
    line = text[begin:end]
    fixed = _wrap_on_line(line, name, tail)
    if fixed is None:
        return None
    return text[:begin] + fixed + text[end:]


def _scalar_lines(text: str, path: Path_) -> range:
    """The 1-based file lines a YAML scalar's text spans (none when it cannot be found)."""
    try:
        node = _yaml_node(text[1:] if text.startswith("\ufeff") else text, path)
    except Exception:  # noqa: BLE001 - any failure means: no lines to try
        return range(0)
    return range(node.start_mark.line + 1, node.end_mark.line + 2)


def _requote(text: str, path: Path_, value: str) -> str | None:
    """Rewrite one plain or quoted YAML scalar as a double-quoted string holding `value`."""
    try:
        node = _yaml_node(text[1:] if text.startswith("\ufeff") else text, path)
    except Exception:  # noqa: BLE001 - any failure means: do not fix this one
        return None
    if getattr(node, "style", "") in ("|", ">"):
        return None
    shift = 1 if text.startswith("\ufeff") else 0
    quoted = json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    return (text[:node.start_mark.index + shift] + quoted + text[node.end_mark.index + shift:])


def _reads_as(text: str, want: Any, parse: Any) -> bool:
    try:
        return parse(text) == want
    except CaseFileError:
        return False


def write_plan(plan: ItalicsPlan) -> Path:
    """Replace the case file with the fixed text, keeping the old one as NAME.bak (or
    NAME.bak.2, ...: an earlier backup is never overwritten); returns the backup's path."""
    from .output import write_atomic

    data = plan.new.encode("utf-8")
    mode = plan.path.stat().st_mode & 0o7777
    number = 1
    while True:
        backup = plan.path.with_name(plan.path.name + (".bak" if number == 1 else f".bak.{number}"))
        if not os.path.lexists(backup):
            break
        number += 1
    write_atomic(backup, plan.old.encode("utf-8"))
    write_atomic(plan.path, data, force=True)
    os.chmod(plan.path, mode)
    return backup
