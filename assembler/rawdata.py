"""Reading YAML/JSON into plain data with a line for every path, and dotted-path overrides.

YAML scalars are kept as the text that was written (no YAML 1.1 implicit typing: `NO` stays
"NO", `07030` stays "07030"); the pydantic models do the typing. Duplicate keys are an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .errors import CaseFileError

Path_ = tuple[str | int, ...]
_NULLS = {"", "~", "null", "Null", "NULL"}


class LocatedData:
    """Plain data (dicts, lists, str/None/numbers) plus the source line of each path."""

    def __init__(self, data: Any, lines: dict[Path_, int], source: str,
                 text_starts: dict[Path_, int] | None = None):
        self.data = data
        self.lines = lines
        self.source = source
        # For text values: the line on which the text itself begins (after a `|` or `>`).
        self.text_starts = text_starts or {}

    def text_line(self, path: Path_, offset: int) -> int | None:
        """The line of character `offset` within the text value at `path`."""
        start = self.text_starts.get(tuple(path))
        if start is None:
            return self.line_of(path)
        node: Any = self.data
        for key in path:
            node = node[key]
        return start + str(node)[:offset].count("\n")

    def line_of(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _from_node(node: yaml.Node, path: Path_, lines: dict[Path_, int], source: str,
               starts: dict[Path_, int] | None = None) -> Any:
    starts = {} if starts is None else starts
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise CaseFileError("a mapping key must be plain text", file=source,
                                    line=key_node.start_mark.line + 1)
            key = key_node.value
            if key == "<<":
                raise CaseFileError("YAML merge keys (<<) are not supported", file=source,
                                    line=key_node.start_mark.line + 1)
            if key in result:
                raise CaseFileError(
                    f"duplicate key '{key}' (first given on line {lines[path + (key,)]})",
                    file=source, line=key_node.start_mark.line + 1,
                    field=_dotted(path + (key,)))
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _from_node(value_node, path + (key,), lines, source, starts)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_from_node(item, path + (i,), lines, source, starts)
                for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    block = node.style in ("|", ">")
    starts[path] = node.start_mark.line + (2 if block else 1)
    if node.style is None and node.value in _NULLS:
        return None
    return node.value


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def parse_yaml_text(text: str, source: str) -> LocatedData:
    """Parse one YAML document into strings, lists and dicts, recording each path's line."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise CaseFileError(f"YAML syntax error: {problem}", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise CaseFileError(f"YAML syntax error: {exc}", file=source) from None
    if len(nodes) > 1:
        raise CaseFileError("the file holds more than one YAML document", file=source)
    lines: dict[Path_, int] = {}
    starts: dict[Path_, int] = {}
    if not nodes or nodes[0] is None:
        return LocatedData({}, lines, source)
    data = _from_node(nodes[0], (), lines, source, starts)
    return LocatedData(data, lines, source, starts)


def parse_json_text(text: str, source: str) -> LocatedData:
    """Parse JSON (duplicate keys are an error) and borrow line numbers from a YAML reading."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise CaseFileError(f"duplicate key '{key}'", file=source, field=key)
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"JSON syntax error: {exc.msg}", file=source, line=exc.lineno) from None
    lines: dict[Path_, int] = {}
    try:
        lines = parse_yaml_text(text, source).lines
    except CaseFileError:
        pass  # JSON that YAML cannot read (tabs, say): validate without line numbers
    return LocatedData(data, lines, source)


def read_data_file(path: Path) -> LocatedData:
    """Read a case file (YAML or JSON by extension) as located plain data."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CaseFileError("no such file", file=source) from None
    except IsADirectoryError:
        raise CaseFileError("is a directory, not a case file", file=source) from None
    except OSError as exc:
        raise CaseFileError(f"cannot read: {exc.strerror}", file=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseFileError("not valid UTF-8 text", file=source, line=line) from None
    if path.suffix.lower() == ".json":
        return parse_json_text(text, source)
    return parse_yaml_text(text, source)


def parse_override(assignment: str) -> tuple[Path_, Any]:
    """Split `dotted.path=value`; the value is read as YAML text (a flow list or mapping works)."""
    if "=" not in assignment:
        raise CaseFileError(f"--set expects dotted.path=value, got '{assignment}'", file="--set")
    dotted, value_text = assignment.split("=", 1)
    dotted = dotted.strip()
    if not dotted or any(not part for part in dotted.split(".")):
        raise CaseFileError(f"--set has an empty field name in '{assignment}'", file="--set")
    path: Path_ = tuple(int(p) if p.isdigit() else p for p in dotted.split("."))
    if not value_text.strip():
        return path, ""
    try:
        value = parse_yaml_text(value_text, "--set").data
    except CaseFileError:
        value = value_text  # not YAML (e.g. "*Star* Corp"): it is plain text
    return path, value


def apply_override(data: dict[str, Any], path: Path_, value: Any, source: str = "--set") -> None:
    """Set `path` in nested plain data, creating mappings and appending list items as needed."""
    node: Any = data
    for depth, key in enumerate(path):
        last = depth == len(path) - 1
        here = _dotted(path[: depth + 1])
        if isinstance(key, int):
            if not isinstance(node, list):
                raise CaseFileError("is not a list, so it cannot take an index", file=source,
                                    field=_dotted(path[:depth]) or here)
            if key > len(node):
                raise CaseFileError(f"index {key} skips items (the list has {len(node)})",
                                    file=source, field=here)
            if key == len(node):
                node.append({} if not last else value)
            if last:
                node[key] = value
            else:
                if node[key] is None:
                    node[key] = [] if isinstance(path[depth + 1], int) else {}
                node = node[key]
        else:
            if not isinstance(node, dict):
                raise CaseFileError("is not a mapping, so it has no fields", file=source,
                                    field=_dotted(path[:depth]) or here)
            if last:
                node[key] = value
            else:
                if node.get(key) is None:
                    node[key] = [] if isinstance(path[depth + 1], int) else {}
                node = node[key]
