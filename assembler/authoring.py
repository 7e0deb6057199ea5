"""Tools for template authors: the variables a template uses, lint, and inspect.

Every finding points at what an author can see: the template file, the part (body, header,
footer, footnotes) and the visible text of the paragraph, or the clause file and its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import jinja2
from jinja2 import meta, nodes

from .checks import Finding
from .clauses import ANY, Clause, ClauseLibrary, clause_environment
from .case import OUTCOMES
from .docx.package import read_package
from .docx.template import RENDERED
from .docx.text import visible_text
from .environment import make_environment
from .errors import AssemblerError, TemplateError
from .resources import bundled_clauses, bundled_templates, default_template



def known_motion_kinds(library: ClauseLibrary) -> list[str]:
    """Motion kind ids a clause may serve: the bundled kinds and those beside each clause
    folder (a chambers folder's `motions/` next to its `clauses/`)."""
    from .motions import registry

    folders = tuple(f.parent / "motions" for f in library.folders
                    if (f.parent / "motions").is_dir())
    return registry(folders).ids()
PART_NAMES = {"document": "body", "footnotes": "footnotes", "endnotes": "endnotes"}


@dataclass(frozen=True)
class Use:
    """One use of a variable (dotted path) or clause id, and where it is."""

    path: str
    where: str
    line: int


def _part_label(part: str) -> str:
    stem = Path(part).stem
    return PART_NAMES.get(stem, re.sub(r"\d+$", "", stem))


def _dotted(node: nodes.Node) -> str | None:
    """`motion.relief.fees` from a Getattr/Getitem chain on a Name."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            parts.append(str(node.arg.value))
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts))
        else:
            return None


def _uses(ast: nodes.Template) -> Iterator[tuple[str, int]]:
    """(dotted path, line) for every outside variable the template reads; longest chains."""
    outside = meta.find_undeclared_variables(ast)
    inner: set[int] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        for child in node.iter_child_nodes():
            inner.add(id(child))
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        if id(node) in inner:
            continue
        if isinstance(node, nodes.Name) and node.ctx != "load":
            continue
        path = _dotted(node)
        if path and path.split(".")[0] in outside:
            yield path, node.lineno


def _clause_calls(ast: nodes.Template) -> Iterator[tuple[str, int]]:
    for call in ast.find_all(nodes.Call):
        if (isinstance(call.node, nodes.Name) and call.node.name == "clause" and call.args
                and isinstance(call.args[0], nodes.Const)):
            yield str(call.args[0].value), call.lineno


# ---- what a template may use: the context of the sample case ---------------------------------

@lru_cache(maxsize=1)
def known_context() -> dict[str, Any]:
    """The template context of the bundled sample case, as the reference of known names."""
    from .case import load_case
    from .order import build_context
    from .render import chambers_for

    sample = bundled_templates() / "sample-case.yaml"
    case = load_case(sample)
    chambers, _ = chambers_for(case, sample.parent)
    context = build_context(case, chambers, sealed=False)
    # What a court style adds (caption words, closing, date lines, signature): any style's.
    from .order import style_for, style_values
    context.update(style_values(case, style_for(case, chambers), False, context["title"]))
    context["clause"] = lambda clause_id: ""
    context["sections"] = {name: "" for name in ("introduction", "background", "discussion",
                                                 "conclusion", "referral", "body")}
    context["sections"]["attachments"] = [{"title": "", "body": ""}]
    return context


def path_known(path: str, context: dict[str, Any] | None = None) -> bool:
    """Whether a dotted path names something in the context (list items by their fields)."""
    node: Any = known_context() if context is None else context
    for part in path.split("."):
        if isinstance(node, list):
            node = node[0] if node else None
            if part.isdigit():
                continue
        if isinstance(node, dict):
            if part not in node:
                return False
            node = node[part]
        else:
            return True  # a value's own attribute or method (e.g. a date's year): not ours
    return True


# ---- templates ----------------------------------------------------------------------------

@dataclass
class TemplateSource:
    """A .docx template's parts as Jinja source, with each source line's visible text."""

    path: Path
    parts: dict[str, str]
    line_text: dict[str, list[str]] | None = None
    raw: dict[str, str] | None = None

    @classmethod
    def read(cls, path: Path) -> "TemplateSource":
        from docxtpl import DocxTemplate

        try:
            package = read_package(path)
        except Exception:
            raise AssemblerError("not a .docx file (not a valid zip package)",
                                 file=str(path)) from None
        patcher = DocxTemplate(None)
        parts = {}
        for name, data in package.parts.items():
            if RENDERED.match(name):
                source = patcher.patch_xml(data.decode("utf-8"))
                # One line per paragraph and per tag, so a Jinja line number finds its place.
                source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
                parts[name] = re.sub(r"(\{[{%#])", r"\n\1", source)
        source = cls(Path(path), parts)
        source.line_text = {name: _line_texts(text) for name, text in parts.items()}
        source.raw = {name: package.parts[name].decode("utf-8") for name in parts}
        return source

    def where(self, part: str, line: int) -> str:
        texts = self.line_text[part]
        text = texts[line - 1] if 0 < line <= len(texts) else ""
        text = text if len(text) <= 70 else text[:67] + "..."
        return f"{self.path}: {_part_label(part)}: paragraph “{text}”"

    def paragraphs(self, part: str) -> Iterator[str]:
        """The visible text of each paragraph of the raw part (before tag patching)."""
        assert self.raw is not None
        for paragraph in re.findall(r"<w:p[ >].*?</w:p>", self.raw[part], flags=re.DOTALL):
            yield visible_text(paragraph)


def _line_texts(source: str) -> list[str]:
    """For each source line, the visible text of the paragraph it belongs to; a tag that
    stands outside any paragraph was a {%p %}/{{p }} paragraph, shown as its author wrote it."""
    lines = source.split("\n")
    texts = [""] * len(lines)
    start: int | None = None
    for index, line in enumerate(lines):
        if line.startswith("<w:p") and not line.startswith("<w:pPr"):
            start = index
        if start is None:
            texts[index] = _as_p_tags(line)
        if "</w:p>" in line and start is not None:
            text = visible_text("".join(lines[start:index + 1]).split("</w:p>")[0] + "</w:p>")
            for covered in range(start, index + 1):
                texts[covered] = text
            start = None
            tail = _as_p_tags(line.rsplit("</w:p>", 1)[1])
            if tail:
                texts[index] = tail
    return texts


_JINJA_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")
_TAG_OPEN = re.compile(r"^(\{[{%])\s*")


def _as_p_tags(source: str) -> str:
    """Tags that docxtpl left where a {%p %}/{{p }} paragraph was, written as the author
    wrote them ("{% if x %}" -> "{%p if x %}")."""
    return " ".join(_TAG_OPEN.sub(r"\1p ", tag) for tag in _JINJA_TAG.findall(source))


_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_SPLIT = re.compile(r"\{ +[{%]|[%}] +\}")
_PTAG = re.compile(r"\{%p\s(.*?)%\}|\{\{p\s(.*?)\}\}")


def _paragraph_problems(text: str) -> Iterator[tuple[str, str, str]]:
    """(level, code, message) for tags Word mangled or that break docxtpl's rules."""
    depth: list[str] = []
    joined = re.sub(r"\{ +([{%])", r"{\1", re.sub(r"([%}]) +\}", r"\1}", text))
    for token in _TAG.findall(joined):
        if token[0] == "{":
            if depth:
                yield "error", "broken-tag", f"'{depth[-1]}' is not closed before '{token}'"
                return
            depth.append(token)
        else:
            expected = {"{{": "}}", "{%": "%}", "{#": "#}"}[depth[-1]] if depth else None
            if expected != token:
                yield "error", "broken-tag", (f"'{token}' closes nothing" if not depth else
                                              f"'{depth[-1]}' is closed by '{token}'")
                return
            depth.pop()
    if depth:
        yield "error", "broken-tag", f"'{depth[-1]}' is not closed in this paragraph"
    if _SPLIT.search(text):
        yield "warning", "split-tag", ("a tag's braces are separated by a space, so it is "
                                       "printed as text; join them")
    ptags = re.findall(r"\{%p\s|\{\{p\s", text)
    if len(ptags) > 1:
        yield "error", "p-tag", "two {%p %} tags in one paragraph (each takes a whole paragraph)"
    elif ptags:
        outside = _PTAG.sub("", text).strip()
        if outside:
            yield "error", "p-tag", (f"a {{%p %}} tag replaces its whole paragraph, so the text "
                                     f"“{outside[:40]}” beside it would be lost")
        for match in _PTAG.finditer(text):
            body = match.group(1) if match.group(1) is not None else match.group(2)
            if body and re.search(r"[%}]", body):
                yield "error", "p-tag", ("a '%' or '}' inside a {%p %} tag breaks it (docxtpl "
                                         "reads up to the first one); move the expression into "
                                         "a variable")


def template_uses(template: TemplateSource) -> tuple[list[Use], list[Finding]]:
    """Variables the template reads, with where; syntax errors as findings."""
    env = make_environment(autoescape=True)
    uses: list[Use] = []
    findings: list[Finding] = []
    for part, source in template.parts.items():
        try:
            ast = env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            findings.append(Finding("error", "syntax", template.where(part, exc.lineno or 1),
                                    f"Jinja syntax error: {exc.message}"))
            continue
        seen = set()
        for path, line in _uses(ast):
            use = Use(path, template.where(part, line), line)
            if (use.path, use.where) not in seen:
                seen.add((use.path, use.where))
                uses.append(use)
    return uses, findings


def lint_template(path: Path) -> tuple[list[Finding], list[Use]]:
    from .docx.template import check_intake

    try:
        check_intake(read_package(path), str(path))
    except TemplateError as exc:  # what render would refuse: a finding, as render says it
        return [Finding("error", "template-refused", exc.file or str(path), exc.message)], []
    except Exception:  # zipfile raises several types for a file that is not a .docx
        return [Finding("error", "template-refused", str(path),
                        "not a .docx file (not a valid zip package)")], []
    template = TemplateSource.read(path)
    findings: list[Finding] = []
    for part in template.parts:
        for text in template.paragraphs(part):
            for level, code, message in _paragraph_problems(text):
                shown = text if len(text) <= 70 else text[:67] + "..."
                findings.append(Finding(level, code,
                                        f"{path}: {_part_label(part)}: paragraph “{shown}”",
                                        message))
    uses, syntax = template_uses(template)
    if not any(f.code == "broken-tag" for f in findings):
        findings.extend(syntax)
    for use in uses:
        if not path_known(use.path):
            findings.append(Finding("error", "unknown-variable", use.where,
                                    f"'{use.path}' is not a value the case file gives "
                                    "(see `assembler inspect` and `assembler schema`)"))
    return findings, uses


# ---- clauses ------------------------------------------------------------------------------

def clause_uses(clause: Clause) -> tuple[list[Use], list[Use]]:
    ast = clause_environment().parse(clause.body)
    where = lambda line: f"{clause.path}:{clause.body_line + line - 1}"  # noqa: E731
    variables = [Use(path, where(line), clause.body_line + line - 1)
                 for path, line in _uses(ast)]
    calls = [Use(cid, where(line), clause.body_line + line - 1)
             for cid, line in _clause_calls(ast)]
    return variables, calls


def lint_clauses(library: ClauseLibrary) -> tuple[list[Finding], list[Use]]:
    findings: list[Finding] = []
    all_uses: list[Use] = []
    motions = known_motion_kinds(library)
    for clause_id in library.ids():
        try:
            clause = library.get(clause_id)
        except AssemblerError as exc:
            findings.append(Finding("error", "clause", exc.file or clause_id, exc.message))
            continue
        variables, calls = clause_uses(clause)
        all_uses.extend(variables)
        header = f"{clause.path}:1"
        for use in variables:
            if not path_known(use.path):
                findings.append(Finding("error", "unknown-variable", use.where,
                                        f"'{use.path}' is not a value the case file gives"))
        for use in calls:
            if use.path not in library:
                findings.append(Finding("error", "unknown-clause", use.where,
                                        f"clause('{use.path}') names no clause in the library"))
        used = {u.path for u in variables}
        for need in clause.needs:
            if not any(u == need or u.startswith(need + ".") or need.startswith(u + ".")
                       for u in used):
                findings.append(Finding("warning", "front-matter", header,
                                        f"needs '{need}', which the body never uses"))
            elif not path_known(need):
                findings.append(Finding("error", "front-matter", header,
                                        f"needs '{need}', which is not a value of the case"))
        for kind, values, allowed in (("motions", clause.motions, motions),
                                      ("outcomes", clause.outcomes, OUTCOMES)):
            for value in values:
                if value != ANY and value not in allowed:
                    findings.append(Finding("error", "front-matter", header,
                                            f"{kind} lists '{value}', which is not one of "
                                            f"{', '.join(allowed)}"))
    return findings, all_uses


# Case-file fields that the order logic reads itself (not by name in a template or clause).
READ_BY_CODE = {"court", "chambers", "plaintiffs", "defendants", "sealing", "motion.kind",
                "motions", "motion.docs", "motion.movant_name", "motion.pleading",
                "motion.attach", "ruling.closes_case",
                "motion.doc",
                "motion.relief", "motion.movant", "ruling.outcome", "ruling.renewal_days",
                "ruling.with_prejudice", "ruling.granted", "ruling.denied", "signed.date",
                "introduction", "background", "discussion", "conclusion", "referral",
                "judge_initials", "judge", "style", "title", "document", "publication",
                "division", "regarding", "roles", "sections"}


def unused_case_keys(uses: list[Use]) -> list[str]:
    """Top-level and second-level case-file fields that nothing reads."""
    from .case import Case

    used = {u.path for u in uses}
    unused = []
    for name, field in Case.model_fields.items():
        candidates = [name]
        annotation = field.annotation
        fields = getattr(annotation, "model_fields", None)
        if fields:
            candidates = [f"{name}.{sub}" for sub in fields]
        for candidate in candidates:
            top = candidate.split(".")[0]
            if candidate in READ_BY_CODE or top in READ_BY_CODE:
                continue
            if not any(u == candidate or u.startswith(candidate + ".") for u in used):
                unused.append(candidate)
    return unused


def lint(paths: list[Path]) -> list[Finding]:
    """Lint templates (.docx), clause files or clause folders; the bundled ones by default."""
    if not paths:
        paths = [default_template(), bundled_clauses()]
    findings: list[Finding] = []
    uses: list[Use] = []
    folders: list[Path] = []
    for path in paths:
        if not path.exists():
            raise AssemblerError("no such file or folder", file=str(path))
        if path.is_dir():
            folders.append(path)
        elif path.suffix.lower() == ".docx":
            found, used = lint_template(path)
            findings.extend(found)
            uses.extend(used)
        elif path.suffix.lower() == ".md":
            folders.append(library_root(path))
        elif path.suffix.lower() in (".yaml", ".yml", ".json"):
            from .caselint import lint_case_file
            findings.extend(lint_case_file(path))
        else:
            raise AssemblerError("lint reads .docx templates, .md clauses, clause folders or "
                                 "case files (.yaml, .json)", file=str(path))
    if folders:
        library = ClauseLibrary([*folders, bundled_clauses()])
        found, used = lint_clauses(library)
        roots = [f.resolve() for f in folders]
        findings.extend(f for f in found if any(str(r) in str(Path(f.where.split(":")[0]).resolve())
                                               for r in roots))
        uses.extend(used)
    if any(p.suffix.lower() == ".docx" for p in paths) and folders:
        for key in unused_case_keys(uses):
            findings.append(Finding("warning", "unused-field", "case file",
                                    f"'{key}' is read by no template or clause"))
    return findings


def library_root(path: Path) -> Path:
    """The clause folder a clause file belongs to (its id has as many parts as folders)."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^id:\s*(\S+)", text, flags=re.MULTILINE)
    depth = len(match.group(1).split("/")) if match else 1
    return path.parents[depth - 1] if depth <= len(path.parents) else path.parent
