"""The `assembler` command: options in, library calls, messages and exit codes out."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import AssemblerError
from .hints import remedy, with_hint


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print an AssemblerError as one line and exit 1; never a traceback for a user's mistake."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AssemblerError as exc:
            if kwargs.get("as_json"):
                click.echo(_json_line({**exc.as_dict(), "text": with_hint(exc)}))
            else:
                click.echo(f"error: {with_hint(exc)}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


def _json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)


def _finding_printer(as_json: bool, err: bool = False) -> Callable[[Any], None]:
    """Print a finding as its line (`where: level: message [code]`) or as one JSON object."""
    def show(finding: Any) -> None:
        click.echo(_json_line(finding.as_dict()) if as_json else str(finding), err=err)
    return show


json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print findings and errors as JSON lines (one object each: "
                                "level, code, message, file, line, row, field, clause, ...).")


class _AllowedCodes(click.Choice):
    """The codes a render may allow, read from the check registry (assembler/checklist.py)
    whenever they are needed, so a check registered later is offered too."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from .checklist import allowable_codes
        return allowable_codes()

    @choices.setter
    def choices(self, value: Any) -> None:
        pass


class _AllowOption(click.Option):
    """--allow, its help naming the registry's codes ({codes} in the help text)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from .checklist import allowable_codes

        template = self.help or ""
        self.help = template.format(codes=", ".join(allowable_codes()))
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = template


def allow_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--allow", multiple=True, metavar="CODE", type=_AllowedCodes(),
                        cls=_AllowOption, help=help_text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assembler")
def main() -> None:
    """Assemble court orders from case files (YAML/JSON) or CSV rows into Word and PDF."""


@main.command()
@click.argument("case_file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the .docx (a file, or a folder for the default name). "
                   "Default: <case-number>-order.docx in the current folder.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a case-file field, e.g. --set ruling.outcome=granted. Repeatable.")
@click.option("--template", type=click.Path(path_type=Path),
              help="A .docx order template (default: the bundled order template).")
@click.option("--sealed", is_flag=True,
              help="Write the sealed version, which names pseudonymous parties.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@allow_option("Write despite a Rule 5.2 finding of this kind ({codes}). Repeatable.")
@click.option("--pdf", is_flag=True, help="Also write a PDF (through LibreOffice).")
@click.option("--pdf-a", is_flag=True, help="Write the PDF as PDF/A-2b (implies --pdf).")
@click.option("--soffice", type=click.Path(path_type=Path), help="The LibreOffice soffice "
              "executable (default: soffice on PATH).")
@click.option("--strict", is_flag=True,
              help="Refuse to write when the cite-check finds an error (it only warns by "
                   "default: a judge may sign an order with a citation warning).")
@click.option("--straight-quotes", is_flag=True,
              help="Keep straight quotes and apostrophes as typed (by default the prose's "
                   "become typographic: “ ” ‘ ’).")
@json_option
@click.option("--styles", "style_folders", multiple=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="A folder of court styles (each a folder with style.yaml and "
                   "template.docx), searched before the bundled ones. Repeatable.")
@click.option("-v", "--verbose", is_flag=True,
              help="Say which template, style and clause folders were used.")
@reports_errors
def render(case_file: Path, output: Path | None, overrides: tuple[str, ...],
           template: Path | None, sealed: bool, force: bool, allow: tuple[str, ...],
           pdf: bool, pdf_a: bool, soffice: Path | None, strict: bool,
           straight_quotes: bool, as_json: bool, style_folders: tuple[Path, ...],
           verbose: bool) -> None:
    """Render CASE_FILE to a Word order (the public version unless --sealed).

    A case file that still holds [[markers]] (as `assembler new` writes it) renders as a
    draft, each marker highlighted where its value goes; --strict refuses it.
    """
    from .skeleton import draft_fields
    if todo := draft_fields(case_file):
        _render_draft(case_file, output, todo, force=force, pdf=pdf or pdf_a, soffice=soffice,
                      strict=strict or sealed or bool(overrides))
        return
    from .checks import Finding
    from .engine import Engine
    from .workflow import render_case

    if output is not None and output.suffix.lower() == ".pdf" and not output.is_dir():
        from .errors import OutputError
        raise OutputError("-o names a PDF, but the order is written as Word: give the .docx "
                          "name and add --pdf (the PDF is written beside it)", file=str(output))
    allowed = set(allow)

    def show(finding: Finding) -> None:
        if finding.level == "error" and finding.code in allowed:  # a Rule 5.2 finding let through
            finding = dataclasses.replace(finding, level="warning", message=(
                f"{finding.message} (written because --allow {finding.code} was given)"))
        _finding_printer(as_json, err=not as_json)(finding)

    report = render_case(case_file, output, overrides=overrides, template=template,
                         sealed=sealed, allow=allow, strict=strict, force=force, pdf=pdf,
                         pdf_a=pdf_a, soffice=soffice, straight_quotes=straight_quotes,
                         engine=Engine(), on_finding=show, style_folders=style_folders,
                         on_note=lambda note: click.echo(f"note: {note}", err=True))
    if report.pdf is None:
        from . import memo
        memo.written(report.docx, force=force)  # what a replay of this render writes again
    if as_json:
        for note in report.library_notes:  # which clause wrote which paragraphs
            click.echo(_json_line(note))
        click.echo(_json_line({"level": "info", "docx": str(report.docx), "title": report.title,
                               "sealed": sealed, "pdf": report.pdf,
                               "clauses": report.clauses_used, "style": report.style}))
        return
    click.echo(f"wrote {report.docx} ({report.title}{', SEALED' if sealed else ''})")
    for note in report.written_by_library:  # what the clause library wrote, clause by clause
        click.echo(f"  library: {note}")
    if verbose:
        click.echo(f"court style: {report.style}", err=True)
        for what, path in report.used_files:
            click.echo(f"{what}: {path}", err=True)
    errors = [f for f in report.findings if f.level == "error" and f.code not in allowed]
    if errors:
        click.echo(f"warning: the order was written despite {len(errors)} citation error"
                   f"{'s' * (len(errors) != 1)} (listed above; --strict refuses to write)",
                   err=True)
    if report.pdf is not None:
        click.echo(f"wrote {report.pdf}{' (PDF/A-2b)' if pdf_a else ''}")


def _render_draft(case_file: Path, output: Path | None, todo: list[str], *, force: bool,
                  pdf: bool, soffice: Path | None, strict: bool) -> None:
    from .errors import CaseFileError
    from .skeleton import render_draft

    shown = ", ".join(todo[:6]) + (f" and {len(todo) - 6} more" if len(todo) > 6 else "")
    if strict:
        raise CaseFileError(f"{len(todo)} field{'s' * (len(todo) != 1)} still hold a [[marker]] "
                            f"({shown}); fill them in (without --strict, --sealed or --set, "
                            "render writes a marked draft)", file=str(case_file))
    target, result = render_draft(case_file, output, force=force, pdf=pdf, soffice=soffice)
    click.echo(f"warning: {case_file}: a draft: {len(todo)} field{'s' * (len(todo) != 1)} "
               f"still hold a [[marker]] ({shown}); the order shows each, highlighted",
               err=True)
    click.echo(f"wrote {target} (DRAFT)")
    if result.pdf:
        click.echo(f"wrote {result.pdf} (DRAFT)")


@main.command()
@click.argument("rows_file", metavar="ROWS.csv", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for the orders and manifest.csv (created if missing).")
@click.option("--base", type=click.Path(path_type=Path),
              help="A case file with the fields every row shares; columns fill in the rest.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="A field shared by every row, e.g. --set signed.place=Hartford. Repeatable.")
@click.option("--motion", metavar="KIND",
              help="Shorthand for --set motion.kind=KIND (`assembler motions` lists the kinds).")
@click.option("--template", type=click.Path(path_type=Path),
              help="A .docx order template (default: the bundled order template).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores).")
@click.option("--force", is_flag=True, help="Overwrite orders that already exist.")
@click.option("--resume", is_flag=True,
              help="Skip rows whose order already exists and matches; redo the rest.")
@click.option("--dry-run", is_flag=True, help="Validate and render every row; write nothing.")
@click.option("--sealed", is_flag=True, help="Write the sealed versions.")
@allow_option("As for render ({codes}). Repeatable.")
@click.option("--pdf", is_flag=True, help="Also write a PDF of each order (up to -j LibreOffice "
              "processes at a time).")
@click.option("--pdf-a", is_flag=True, help="Write the PDFs as PDF/A-2b (implies --pdf).")
@click.option("--soffice", type=click.Path(path_type=Path), help="The LibreOffice soffice "
              "executable (default: soffice on PATH).")
@click.option("--styles", "style_folders", multiple=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="A folder of court styles, searched before the bundled ones. Repeatable.")
@click.option("-v", "--verbose", is_flag=True,
              help="Say which template, style and clause folders the orders used.")
@json_option
@reports_errors
def batch(rows_file: Path, out_dir: Path, base: Path | None, overrides: tuple[str, ...],
          motion: str | None, template: Path | None, jobs: int | None, force: bool,
          resume: bool, dry_run: bool, sealed: bool, allow: tuple[str, ...], pdf: bool,
          pdf_a: bool, soffice: Path | None, style_folders: tuple[Path, ...], verbose: bool,
          as_json: bool) -> None:
    """Render one order per CSV row into a folder, with a manifest.

    Columns are case-file fields by dotted name (case_number, defendants.0.ip_address, isp,
    signed.date, ...). A bad row is reported with its row number (the header is row 1) and
    field, and the batch goes on. Exit status 1 when any row failed.
    """
    from .batch import BatchOptions, run_batch

    if motion:
        overrides = (f"motion.kind={motion}", *overrides)
    options = BatchOptions(rows_file=rows_file, out_dir=out_dir, base=base, overrides=overrides,
                           template=template, jobs=jobs or os.cpu_count() or 1, force=force,
                           resume=resume, dry_run=dry_run, sealed=sealed, allow=allow,
                           pdf=pdf, pdf_a=pdf_a, soffice=soffice,
                           style_folders=tuple(style_folders))
    used: dict[tuple[str, str], None] = {}  # what the orders used, in first-seen order
    bar = None
    if sys.stderr.isatty() and not as_json:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeRemainingColumn(), transient=True)
        bar.start()
        task = bar.add_task("rendering", total=None)
    pdf_task = None

    def pdf_progress(done: int, total: int) -> None:
        """The PDF phase's own bar, under the rendering one."""
        nonlocal pdf_task
        if bar is None:
            return
        if pdf_task is None:
            pdf_task = bar.add_task("PDF      ", total=total)
        bar.update(pdf_task, completed=done, total=total)

    def progress(done: int, total: int, result: Any) -> None:
        used.update(dict.fromkeys(result.used))
        if result.status == "failed" and as_json:
            click.echo(_json_line({"level": "error", "file": str(rows_file), "row": result.row,
                                   "message": result.error}))
        elif result.status == "failed":
            message = f"error: {result.error}"
            if bar is not None:  # printed above the bar, as plain text on one line
                bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
            else:
                click.echo(message, err=True)
        if bar is not None:
            bar.update(task, completed=done, total=total)

    try:
        summary = run_batch(options, progress, pdf_progress)
    finally:
        if bar is not None:
            bar.stop()
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    prefix = "dry run: " if dry_run else ""
    click.echo(prefix + summary.line(remedy("resume")))
    if verbose:
        for what, path in used:
            click.echo(f"{what}: {path}", err=True)
    if summary.interrupted:
        sys.exit(130)
    if summary.failed:
        sys.exit(1)


@main.command()
@click.option("--chambers", type=click.Path(path_type=Path, file_okay=False),
              help="Also list a chambers folder's own clauses (they override bundled ones).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@reports_errors
def clauses(chambers: Path | None, as_json: bool) -> None:
    """List the clause library: id, title, motions and outcomes."""
    from .chambers import library_for, load_chambers

    library = library_for(load_chambers(chambers))
    rows = [{"id": c.id, "title": c.title, "motions": list(c.motions),
             "outcomes": list(c.outcomes), "needs": list(c.needs), "path": str(c.path)}
            for c in library.all()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["id"]) for r in rows), default=2)
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['title']}")
        click.echo(f"{'':<{width}}  motions: {', '.join(r['motions'])}; "
                   f"outcomes: {', '.join(r['outcomes'])}")


def _motion_kinds() -> list[str]:
    from .skeleton import motion_kinds
    return motion_kinds()


@main.command()
@click.option("--court", required=True, help="The court: a courts-db id (`assembler courts` "
              "finds it) or its citation form, e.g. ilnd or \"N.D. Ill.\".")
@click.option("--motion", "kind", required=True, metavar="KIND",
              help="The motion kind: " + ", ".join(_motion_kinds()) + ".")
@click.option("--outcome", required=True,
              help="The ruling: granted, denied, denied_without_prejudice, granted_in_part or "
                   "moot (as the motion kind allows).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("case.yaml"),
              show_default=True, help="The case file to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing case file.")
@reports_errors
def new(court: str, kind: str, outcome: str, output: Path, force: bool) -> None:
    """Write a commented case file with every field this court, motion and outcome need.

    Each field has a one-line explanation; what only you can give is a [[marker]], and the
    file renders as it stands (`assembler render` marks what is still missing). The JSON
    Schema it names on its first line is written beside it when missing.
    """
    from .skeleton import check_combination, write_skeleton

    combo, note = check_combination(court, kind, outcome)
    if note:
        click.echo(f"note: {note}", err=True)
    for path in write_skeleton(combo, output, force=force):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@reports_errors
def courts(query: tuple[str, ...], as_json: bool) -> None:
    """List federal district court ids (courts-db) with their names and styles.

    QUERY narrows the list: an id, a citation form or words, each of which may be the start
    of a word of the court's name.
    """
    from .courts import court_rows

    rows = court_rows(" ".join(query))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        from .courts import court_hint
        words = " ".join(query)
        raise AssemblerError(f"no court matches '{words}'{court_hint(words)}")
    width = max(len(r["id"]) for r in rows)
    name_width = max(len(r["name"]) for r in rows)
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['name']:<{name_width}}  {r['citation']:<12}  "
                   f"style: {r['style']}")


@main.command()
@click.option("--chambers", type=click.Path(path_type=Path, file_okay=False),
              help="Also list a chambers folder's own motion kinds (motions/*.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@reports_errors
def motions(chambers: Path | None, as_json: bool) -> None:
    """List the motion kinds: id, title, rule, outcomes and the clauses that write them."""
    from .chambers import load_chambers
    from .motions import registry

    kinds = registry(load_chambers(chambers).motion_folders).all()
    rows = [{"id": k.id, "title": k.title or "(named by the case: motion.name)",
             "rule": k.rule, "outcomes": list(k.outcomes), "requires": list(k.requires),
             "attachments": list(k.attachments),
             "clauses": {s: list(c) for s, c in k.clauses.items()},
             "path": str(k.path) if k.path else None} for k in kinds]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        rule = f" ({r['rule']})" if r["rule"] else ""
        click.echo(f"{r['id']:<{width}}  {r['title']}{rule}")
        extra = f"; requires: {', '.join(r['requires'])}" if r["requires"] else ""
        click.echo(f"{'':<{width}}  outcomes: {', '.join(r['outcomes'])}{extra}")


@main.command()
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--case", "case_file", type=click.Path(path_type=Path),
              help="For a .docx or .pdf: the case file whose sealed names to look for.")
@click.option("--fix", is_flag=True,
              help="For a case file: write italics around case names that lack them (shows "
                   "the change as a diff, keeps a backup NAME.bak).")
@click.option("--dry-run", is_flag=True,
              help="With --fix: show the diff and write nothing.")
@json_option
@reports_errors
def check(target: Path, case_file: Path | None, fix: bool, dry_run: bool,
          as_json: bool) -> None:
    """Check a case file, a rendered .docx or a PDF before filing.

    Reports Fed. R. Civ. P. 5.2 findings (Social Security and taxpayer numbers, full dates of
    birth, financial-account numbers, minors' names), sealed names in public text, metadata a
    template author left behind, and, for a case file, citations (short forms, Id., pin
    cites, conflicting volumes, unknown reporters, case names not in italics). A case file
    that still holds [[markers]] is not ready: each is an error. Exit status 1 when any
    finding is an error; warnings do not change it.
    """
    from .checks import check_case_file, check_docx, check_pdf
    from .errors import CaseFileError
    from .summary import tally

    if not target.exists():
        raise CaseFileError("no such file", file=str(target))
    suffix = target.suffix.lower()
    from .skeleton import draft_fields, draft_findings
    if suffix in (".yaml", ".yml", ".json") and draft_fields(target):
        findings = draft_findings(target)
    elif suffix in (".yaml", ".yml", ".json"):
        from .cites import check_case_citations

        if fix:
            _fix_italics(target, dry_run)
        findings = check_case_file(target) + check_case_citations(target)
    else:
        from .case import load_case

        case = load_case(case_file) if case_file else None
        if suffix == ".docx":
            findings = check_docx(target, case)
        elif suffix == ".pdf":
            findings = check_pdf(target, case)
        else:
            raise CaseFileError("check reads a case file (.yaml, .json), a .docx or a .pdf",
                                file=str(target))
    findings_out = _finding_printer(as_json)
    for finding in findings:
        findings_out(finding)
    click.echo(tally(findings, str(target)), err=True)
    if any(f.level == "error" for f in findings):
        sys.exit(1)


def _fix_italics(target: Path, dry_run: bool) -> None:
    """`check --fix`: show the diff, then (unless a dry run) write it with a backup."""
    from .citefix import plan_italics, write_plan

    plan = plan_italics(target)
    count = len(plan.fixed)
    names = f"{count} case name{'s' * (count != 1)}"
    if plan.new != plan.old:
        click.echo(plan.diff(str(target)), nl=False)
    for skipped in plan.skipped:
        click.echo(f"warning: {target}: could not italicise {skipped}; add the asterisks by "
                   "hand", err=True)
    if dry_run:
        click.echo(f"dry run: would italicise {names} in {target}; nothing written", err=True)
    elif count:
        backup = write_plan(plan)
        click.echo(f"italicised {names} in {target} (the file before: {backup})", err=True)
    else:
        click.echo(f"italicised no case names in {target}; nothing written", err=True)


@main.command()
@click.argument("target", required=False, type=click.Path(path_type=Path))
@click.option("--data", type=click.Path(path_type=Path),
              help="The case to render with (default: the bundled sample case).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The preview .docx (default: preview.docx here; it is replaced each time).")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it.")
@click.option("--png", "png_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write one PNG per page into this folder.")
@click.option("--watch", is_flag=True,
              help="Render again whenever the template, clause or case file changes.")
@click.option("--soffice", type=click.Path(path_type=Path), help="The soffice executable.")
@reports_errors
def preview(target: Path | None, data: Path | None, output: Path | None, pdf: bool,
            png_dir: Path | None, watch: bool, soffice: Path | None) -> None:
    """Render a template (.docx) or a clause (.md) with a case, marking what is missing.

    A value the case lacks is shown as a highlighted [[motion.doc]] instead of failing, and
    listed; so is a template variable no case gives.
    """
    from .preview import preview as run_preview

    output = output or Path("preview.docx")

    from .engine import Engine

    engine = Engine()  # this front's caches: refreshed before each render of a watch
    sources: list[Path] = []

    def once() -> None:
        engine.refresh()
        result = run_preview(target, data, output, pdf=pdf, png_dir=png_dir, soffice=soffice,
                             engine=engine)
        sources[:] = result.sources
        click.echo(f"wrote {result.docx}")
        if result.pdf:
            click.echo(f"wrote {result.pdf}")
        if result.pngs:
            click.echo(f"wrote {len(result.pngs)} page image(s) in {png_dir}")
        for name in result.missing:
            click.echo(f"missing: {name} (the case does not give it)")
        for name in result.undefined:
            click.echo(f"missing: {name} (the template uses a name no case gives)")

    once()
    if watch:
        from watchfiles import watch as watch_files

        from .resources import bundled_clauses, default_template
        paths = list(dict.fromkeys(p for p in (target or default_template(), data,
                                               bundled_clauses(), *sources) if p))
        click.echo("watching for changes (Ctrl-C to stop)", err=True)
        for _ in watch_files(*paths):
            try:
                once()
            except AssemblerError as exc:
                click.echo(f"error: {with_hint(exc)}", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
@reports_errors
def lint(paths: tuple[Path, ...], as_json: bool) -> None:
    """Lint order templates (.docx), clauses (.md files or folders) and case files.

    Finds Jinja syntax errors, tags Word split or mangled, misused {%p %} tags, variables
    the case file does not give (body, headers, footers and footnotes alike), unknown
    clause ids, clause front matter that does not match the body, and case-file fields
    nothing reads. A case file is linted for what would stop it rendering ([[markers]] are
    allowed). With no PATHS: the bundled template and clause library. Exit 1 on errors.
    """
    from .authoring import lint as run_lint
    from .summary import lint_scope, tally

    findings = run_lint(list(paths))
    findings_out = _finding_printer(as_json)
    for finding in findings:
        findings_out(finding)
    click.echo(tally(findings, lint_scope(list(paths))), err=True)
    if any(f.level == "error" for f in findings):
        sys.exit(1)


@main.command()
@click.argument("template", type=click.Path(path_type=Path), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@reports_errors
def inspect(template: Path | None, as_json: bool) -> None:
    """List what TEMPLATE (default: the bundled order) and the clauses it reaches use.

    Each variable is shown with where it appears: the part and the paragraph's visible text
    (for clauses, the file and line); then the clause ids the clauses call.
    """
    from .authoring import TemplateSource, clause_uses, template_uses
    from .clauses import ClauseLibrary
    from .resources import bundled_clauses, default_template

    source = TemplateSource.read(template or default_template())
    uses, findings = template_uses(source)
    for finding in findings:
        raise AssemblerError(finding.message, file=finding.where)
    library = ClauseLibrary([bundled_clauses()])
    clause_rows = []
    for clause in library.all():
        variables, calls = clause_uses(clause)
        clause_rows.append({"id": clause.id, "variables": [u.path for u in variables],
                            "calls": [u.path for u in calls], "path": str(clause.path)})
    if as_json:
        click.echo(json.dumps({"template": str(source.path),
                               "variables": [{"name": u.path, "where": u.where} for u in uses],
                               "clauses": clause_rows}, indent=2))
        return
    click.echo(f"{source.path}: variables")
    for use in uses:
        click.echo(f"  {use.path:<28} {use.where.split(': ', 1)[1]}")
    click.echo("clauses (library: bundled)")
    for row in clause_rows:
        extra = f"; calls {', '.join(row['calls'])}" if row["calls"] else ""
        click.echo(f"  {row['id']:<44} uses {', '.join(sorted(set(row['variables']))) or '-'}"
                   f"{extra}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per check.")
def checks(as_json: bool) -> None:
    """List every check: its code, level, what it reads and whether it blocks a render.

    `render --allow CODE` takes the codes whose render block is "unless-allowed".
    """
    from .checklist import CHECKS

    for check in CHECKS.values():
        if as_json:
            click.echo(_json_line({"code": check.code, "level": check.level,
                                   "applies_to": list(check.applies_to),
                                   "blocks": check.blocks, "rule": check.rule,
                                   "summary": check.summary}))
        else:
            rule = f" (Rule {check.rule})" if check.rule else ""
            click.echo(f"{check.code:<17} {check.level:<8} blocks {check.blocks:<15} "
                       f"{', '.join(check.applies_to)}: {check.summary}{rule}")


@main.command()
def schema() -> None:
    """Print the case-file JSON Schema (for editors that validate YAML/JSON)."""
    from .case import Case

    document = Case.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "assembler case file"
    click.echo(json.dumps(document, indent=2))


def _add_examples() -> None:
    """End every command's --help with its examples (assembler/helptext.py)."""
    from .helptext import epilog

    main.epilog = epilog("")
    for name, command in main.commands.items():
        command.epilog = epilog(name)


_add_examples()


def entry() -> None:
    """The `assembler` program (assembler.launch.entry: a replay of an unchanged render first)."""
    from .launch import entry as launch

    launch()


if __name__ == "__main__":  # pragma: no cover
    entry()
