"""The clause library: Markdown + Jinja files with a small front-matter header.

A clause id is its path under a library folder without `.md` (`default-judgment/granted`).
Libraries are searched in order, so a chambers' own folder overrides the bundled clause of the
same id. Clauses render in the sandbox with every data value Markdown-escaped, so a party named
`*Star* Corp` stays text; their output then goes through the same Markdown -> Word path as prose.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import jinja2
import yaml

from . import cache
from .environment import make_environment, render_limited, template_line, undefined_message
from .errors import ClauseError
from .prose import markdown_escape

# libyaml's safe loader when PyYAML was built with it (the same YAML, parsed in C).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
ANY = "any"


class MarkdownText(str):
    """Markdown already written by a clause or a template author: not escaped again."""


class ValueTable:
    """Data values held out of clause Markdown while it is parsed.

    While a table is active, each data value a clause prints becomes a token (a private-use
    character pair around its number) instead of escaped text. The Markdown of a clause is
    then the same for every row of a batch that differs only in values, so its conversion to
    Word is parsed once and cached; `fill` puts the values into the result, escaped by the
    layer that knows the format (for Word XML, the prose layer's `fill_ooxml`). A value is
    text either way: escaping and tokens both keep it out of the Markdown.
    """

    OPEN, CLOSE = "\ue000", "\ue001"
    TOKEN = re.compile("\ue000(\\d+)\ue001")

    def __init__(self) -> None:
        self.values: list[str] = []

    def token(self, value: str) -> str:
        self.values.append(value)
        return f"{self.OPEN}{len(self.values) - 1}{self.CLOSE}"

    def fill(self, text: str, escape: Callable[[str], str]) -> str:
        """Replace tokens by their values, each made safe by `escape` for what `text` is (the
        OOXML layer passes XML escaping: prose.fill_ooxml)."""
        if self.OPEN not in text:
            return text
        return self.TOKEN.sub(lambda m: escape(self.values[int(m.group(1))]), text)

    def fill_text(self, text: str) -> str:
        """Replace tokens in plain text (a title, a message) by their values."""
        return self.TOKEN.sub(lambda m: self.values[int(m.group(1))], text)

    def fill_markdown(self, markdown: str) -> str:
        """Replace tokens in clause Markdown by their values, escaped as without the table."""
        if self.OPEN not in markdown:
            return markdown
        return self.TOKEN.sub(lambda m: markdown_escape(self.values[int(m.group(1))]), markdown)


_ACTIVE: contextvars.ContextVar[ValueTable | None] = contextvars.ContextVar("values",
                                                                          default=None)


@contextmanager
def holding_values() -> Iterator[ValueTable]:
    """Render clauses with their values held out as tokens (see ValueTable)."""
    table = ValueTable()
    reset = _ACTIVE.set(table)
    try:
        yield table
    finally:
        _ACTIVE.reset(reset)


def _finalize(value: Any) -> Any:
    if isinstance(value, MarkdownText) or not isinstance(value, str):
        return value
    table = _ACTIVE.get()
    if table is not None and "\n" not in value:
        return table.token(value)
    return markdown_escape(value)


@lru_cache(maxsize=1)
def clause_environment() -> jinja2.Environment:
    env = make_environment(autoescape=False)
    env.finalize = _finalize
    return env


@dataclass(frozen=True)
class Clause:
    """One clause file: its header and its compiled body."""

    id: str
    title: str
    motions: tuple[str, ...]
    outcomes: tuple[str, ...]
    needs: tuple[str, ...]
    when: tuple[str, ...]   # preconditions: Jinja expressions that must all be true
    path: Path
    body: str
    body_line: int  # line of the body's first line in the file
    sha256: str
    template: jinja2.Template

    def serves(self, motion: str, outcome: str) -> bool:
        return ((ANY in self.motions or motion in self.motions)
                and (ANY in self.outcomes or outcome in self.outcomes))

    def failed_precondition(self, context: Mapping[str, Any]) -> str | None:
        """The first `when` precondition that does not hold for `context`, or None."""
        for expression in self.when:
            try:
                holds = _compiled_expression(expression)(**context)
            except jinja2.TemplateError as exc:
                raise ClauseError(f"precondition '{expression}' cannot be evaluated: {exc}",
                                  clause=self.id, file=str(self.path)) from None
            if not holds:
                return expression
        return None

    def render(self, context: Mapping[str, Any]) -> MarkdownText:
        """Render to Markdown; a missing field is an error naming this clause and the field
        (the field as the template knows it; the caller maps it to the case file's)."""
        for dotted in self.needs:
            if _lookup(context, dotted) in (None, "", [], ()):
                raise ClauseError("needs a value the case does not give", clause=self.id,
                                  field=dotted)
        try:
            return MarkdownText(render_limited(self.template, context).strip())
        except jinja2.UndefinedError as exc:
            line = template_line(exc)
            raise ClauseError(undefined_message(exc), clause=self.id, file=str(self.path),
                              line=self.body_line + line - 1 if line else None) from None
        except jinja2.TemplateError as exc:
            raise ClauseError(f"cannot render: {exc}", clause=self.id,
                              file=str(self.path)) from None
        except (ArithmeticError, ValueError, TypeError, LookupError, AttributeError,
                RecursionError) as exc:  # a filter or function given what it cannot take
            raise ClauseError(f"cannot render: {exc}", clause=self.id,
                              file=str(self.path)) from None


@lru_cache(maxsize=512)
def _compiled_expression(expression: str) -> Any:
    try:
        return clause_environment().compile_expression(expression, undefined_to_none=True)
    except jinja2.TemplateSyntaxError as exc:
        raise ClauseError(f"precondition '{expression}' is not a valid expression: "
                          f"{exc.message}") from None


def _lookup(context: Mapping[str, Any], dotted: str) -> Any:
    node: Any = context
    for part in dotted.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = getattr(node, part, None)
        if node is None:
            return None
    return node


def _tuple(value: Any, field: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ClauseError(f"front matter '{field}' must be a name or a list of names", file=str(path))


def parse_clause(path: Path, clause_id: str) -> Clause:
    """Read one clause file; the header's id must match its place in the library."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise ClauseError(f"cannot read: {exc.strerror}", file=str(path),
                          clause=clause_id) from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ClauseError("not UTF-8 text (save the clause as UTF-8)", file=f"{path}:{line}",
                          clause=clause_id) from None
    match = _FRONT.match(text)
    if not match:
        raise ClauseError("a clause starts with a front-matter header between '---' lines",
                          file=f"{path}:1", clause=clause_id)
    try:
        header = yaml.load(match.group(1), Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        raise ClauseError(f"front matter is not valid YAML: {exc}", file=f"{path}:1",
                          clause=clause_id) from None
    if not isinstance(header, dict):
        raise ClauseError("front matter must be a mapping", file=f"{path}:1", clause=clause_id)
    unknown = set(header) - {"id", "title", "motions", "outcomes", "needs", "when"}
    if unknown:
        raise ClauseError(f"unknown front-matter key '{sorted(unknown)[0]}'", file=f"{path}:1",
                          clause=clause_id)
    if header.get("id") != clause_id:
        raise ClauseError(f"front matter says id '{header.get('id')}' but the file is at "
                          f"'{clause_id}'", file=f"{path}:1", clause=clause_id)
    body = text[match.end():]
    body_line = text[: match.end()].count("\n") + 1
    try:
        template = cache.jinja_template(clause_environment(), body)
    except jinja2.TemplateSyntaxError as exc:
        line = body_line + (exc.lineno or 1) - 1
        raise ClauseError(f"Jinja syntax error: {exc.message}", file=f"{path}:{line}",
                          clause=clause_id) from None
    when = _tuple(header.get("when"), "when", path)
    for expression in when:
        try:
            _compiled_expression(expression)
        except ClauseError as exc:
            raise ClauseError(exc.message, file=f"{path}:1", clause=clause_id) from None
    return Clause(
        id=clause_id, title=str(header.get("title") or clause_id),
        motions=_tuple(header.get("motions", ANY), "motions", path),
        outcomes=_tuple(header.get("outcomes", ANY), "outcomes", path),
        needs=_tuple(header.get("needs"), "needs", path),
        when=when,
        path=path, body=body, body_line=body_line,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), template=template)


class ClauseLibrary:
    """Clauses found in one or more folders; earlier folders win for the same id."""

    def __init__(self, folders: Iterable[Path]):
        self.folders = tuple(Path(f) for f in folders)
        self._paths: dict[str, Path] = {}
        for folder in reversed(self.folders):
            for path in sorted(folder.rglob("*.md")):
                clause_id = path.relative_to(folder).with_suffix("").as_posix()
                self._paths[clause_id] = path
        self._loaded: dict[str, Clause] = {}

    def ids(self) -> list[str]:
        return sorted(self._paths)

    def __contains__(self, clause_id: str) -> bool:
        return clause_id in self._paths

    def get(self, clause_id: str) -> Clause:
        if clause_id not in self._paths:
            from .suggest import did_you_mean

            hint = did_you_mean(clause_id, self.ids())
            raise ClauseError(f"unknown clause id{hint} (run `assembler clauses` for the list)",
                              clause=clause_id)
        if clause_id not in self._loaded:
            self._loaded[clause_id] = parse_clause(self._paths[clause_id], clause_id)
        return self._loaded[clause_id]

    def all(self) -> list[Clause]:
        return [self.get(i) for i in self.ids()]
