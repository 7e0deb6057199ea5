"""Reading YAML/JSON into plain data with a line for every path, and dotted-path overrides.

YAML scalars are kept as the text that was written (no YAML 1.1 implicit typing: `NO` stays
"NO", `07030` stays "07030"); the pydantic models do the typing. Duplicate keys are an error.
"""

from __future__ import annotations

import json
import re
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


MAX_DEPTH = 40  # mappings and lists within each other: a case file needs about six
MAX_VALUES = 100_000  # values once aliases are expanded ("billion laughs" stops here)
MAX_FILE_BYTES = 10 << 20  # a case file (the seed is about 12 KB)
_IMPLICIT = "tag:assembler,implicit"  # what _Loader gives a node that carries no YAML tag


class _Loader(yaml.SafeLoader):
    """Composes without resolving tags, so a tag written in the file (`!!binary`, `!foo`)
    shows, and is refused, instead of being dropped."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _IMPLICIT


def _from_node(node: yaml.Node, path: Path_, lines: dict[Path_, int], source: str,
               starts: dict[Path_, int] | None = None, within: tuple[yaml.Node, ...] = (),
               made: list[int] | None = None) -> Any:
    starts = {} if starts is None else starts
    made = [0] if made is None else made  # values made so far, aliases expanded
    made[0] += 1
    if made[0] > MAX_VALUES:
        raise CaseFileError(f"more than {MAX_VALUES:,} values once its aliases are expanded",
                            file=source, line=node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    if node.tag != _IMPLICIT:
        raise CaseFileError(f"YAML tags such as '{node.tag.replace('tag:yaml.org,2002:', '!!')}'"
                            " are not supported: write the value as plain text",
                            file=source, line=node.start_mark.line + 1,
                            field=_dotted(path) or None)
    if any(node is outer for outer in within):
        raise CaseFileError("an alias refers to the list or mapping it is in (it would never "
                            "end)", file=source, line=node.start_mark.line + 1,
                            field=_dotted(path) or None)
    if len(within) >= MAX_DEPTH:
        raise CaseFileError(f"nested more than {MAX_DEPTH} levels deep", file=source,
                            line=node.start_mark.line + 1, field=_dotted(path) or None)
    within = (*within, node)
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
            result[key] = _from_node(value_node, path + (key,), lines, source, starts, within,
                                     made)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_from_node(item, path + (i,), lines, source, starts, within, made)
                for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    _refuse_surrogates(node.value, source, node.start_mark.line + 1, path)
    block = node.style in ("|", ">")
    starts[path] = node.start_mark.line + (2 if block else 1)
    if node.style is None and node.value in _NULLS:
        return None
    return node.value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(text: str, source: str, line: int | None, path: Path_) -> None:
    """A `\\ud800` escape makes half a character, which no file (and no Word document) can
    hold."""
    found = _SURROGATE.search(text)
    if found:
        raise CaseFileError(f"holds half a character (the escape \\u{ord(found.group()):04x} "
                            "without its pair)", file=source, line=line,
                            field=_dotted(path) or None)


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def parse_yaml_text(text: str, source: str) -> LocatedData:
    """Parse one YAML document into strings, lists and dicts, recording each path's line."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (DEL, say)
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise CaseFileError(f"the character U+{code:04X} is not allowed in YAML"
                            " (a control character pasted from elsewhere?)", file=source,
                            line=line) from None
    except RecursionError:
        raise CaseFileError(f"nested more than {MAX_DEPTH} levels deep", file=source,
                            line=_deep_yaml_line(text)) from None
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


def _deep_yaml_line(text: str) -> int | None:
    """The line where a YAML text first nests deeper than MAX_DEPTH (the event stream is read
    without recursion)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None


def _deep_json_line(text: str) -> int | None:
    """The line where a JSON text first nests deeper than MAX_DEPTH (strings skipped)."""
    depth, line, in_string, escaped = 0, 1, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == "\n":
            line += 1
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth -= 1
    return None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a case file may hold")


def _walk_strings(data: Any, path: Path_, source: str, lines: dict[Path_, int]) -> None:
    pending = [(data, path)]
    while pending:
        node, where = pending.pop()
        if isinstance(node, str):
            _refuse_surrogates(node, source, lines.get(where), where)
        elif isinstance(node, dict):
            for key, value in node.items():
                _refuse_surrogates(key, source, lines.get(where), where)
                pending.append((value, (*where, key)))
        elif isinstance(node, list):
            pending.extend((value, (*where, index)) for index, value in enumerate(node))


def parse_json_text(text: str, source: str) -> LocatedData:
    """Parse JSON (duplicate keys are an error) and borrow line numbers from a YAML reading."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise CaseFileError(f"duplicate key '{key}'", file=source, field=key)
            result[key] = value
        return result

    deep = _deep_json_line(text)
    if deep is not None:
        raise CaseFileError(f"nested more than {MAX_DEPTH} levels deep", file=source, line=deep)
    try:
        data = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"JSON syntax error: {exc.msg}", file=source, line=exc.lineno) from None
    except CaseFileError as exc:  # a duplicate key: the YAML reading of the text has its line
        try:
            parse_yaml_text(text, source)
        except CaseFileError as located:
            if "duplicate key" in located.message:
                raise located from None
        raise exc from None
    except (ValueError, RecursionError) as exc:
        long_number = re.search(r"[0-9]{4000,}", text)
        if long_number:
            raise CaseFileError("a number thousands of digits long", file=source,
                                line=text[: long_number.start()].count("\n") + 1) from None
        raise CaseFileError(f"JSON value error: {exc}", file=source) from None
    lines: dict[Path_, int] = {}
    try:
        lines = parse_yaml_text(text, source).lines
    except CaseFileError:
        pass  # JSON that YAML cannot read (tabs, say): validate without line numbers
    if _SURROGATE.search(text) or "\\u" in text.lower():
        _walk_strings(data, (), source, lines)
    return LocatedData(data, lines, source)


def decode_text(raw: bytes, source: str) -> str:
    """A file's text: UTF-8 (a BOM allowed), or UTF-16 when it starts with UTF-16's BOM (as
    Windows' Notepad and Excel's "Unicode text" save)."""
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n" if encoding != "utf-16" else b"\n\x00") + 1
        name = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise CaseFileError(f"not valid {name} text", file=source, line=line) from None


def _read_regular_file(path: Path, source: str) -> bytes:
    """A file's bytes, if it is a regular file of at most MAX_FILE_BYTES (never a FIFO,
    which would block, or a device such as /dev/zero, which never ends)."""
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise CaseFileError("is not a regular file (a device, pipe or socket)", file=source)
        if info.st_size > MAX_FILE_BYTES:
            raise CaseFileError(f"is larger than {MAX_FILE_BYTES >> 20} MiB", file=source)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise CaseFileError(f"is larger than {MAX_FILE_BYTES >> 20} MiB", file=source)
    return raw


def read_data_file(path: Path) -> LocatedData:
    """Read a case file (YAML or JSON by extension) as located plain data."""
    source = str(path)
    try:
        raw = _read_regular_file(path, source)
    except FileNotFoundError:
        raise CaseFileError("no such file", file=source) from None
    except IsADirectoryError:
        raise CaseFileError("is a directory, not a case file", file=source) from None
    except OSError as exc:
        raise CaseFileError(f"cannot read: {exc.strerror}", file=source) from None
    text = decode_text(raw, source)
    if path.suffix.lower() == ".json":
        return parse_json_text(text, source)
    return parse_yaml_text(text, source)


def dotted_path(dotted: str) -> Path_:
    """`defendants.0.ip_address` -> ("defendants", 0, "ip_address"); a segment of ASCII digits
    is a list index, so `00` and `0` are the same item."""
    return tuple(int(p) if p.isascii() and p.isdigit() else p for p in dotted.split("."))


def parse_override(assignment: str) -> tuple[Path_, Any]:
    """Split `dotted.path=value`; the value is read as YAML text (a flow list or mapping works)."""
    if "=" not in assignment:
        raise CaseFileError(f"--set expects dotted.path=value, got '{assignment}'", file="--set")
    dotted, value_text = assignment.split("=", 1)
    dotted = dotted.strip()
    if not dotted or any(not part for part in dotted.split(".")):
        raise CaseFileError(f"--set has an empty field name in '{assignment}'", file="--set")
    path = dotted_path(dotted)
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
