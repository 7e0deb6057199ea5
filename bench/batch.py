"""Batch benchmark: the naive docxtpl loop against `assembler batch`, in one run.

    python bench/batch.py --rows 1000

Both render the same bundled template for the same rows (the early-discovery batch fixture,
repeated with fresh case numbers). The naive loop does per row what a docxtpl script does:
`DocxTemplate(path)` -> `render` -> `save`, with the same case validation and the same
context (the library's own order text, so the documents match). `assembler batch` is run as
a user runs it, at -j 1 and -j N. Every configuration runs as its own process and is timed
whole (interpreter start and imports included, for both), after the disk has been flushed;
each is timed `--repeat` times and the median is reported.

Two things about the machine are kept out of the comparison. The package is byte-compiled
first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set,
as on this project's machines, every run would otherwise recompile the source tree. And no
output is deleted until every run is over: ext4 without a journal (as on these machines)
skips inodes freed in the last minute when it creates a file, scanning past each one, so
deleting a thousand files makes the next thousand creations several times slower.

The compile cache (see assembler/cache.py) is the benchmark's own folder, filled by an
untimed run first, as any earlier run leaves it on a clerk's machine; `cold` is -j 1 with an
empty cache, as on the very first run after installing or changing the package.

`--memory` also runs `assembler batch -j 1` on 1,000 and on 10,000 rows and reports each
run's peak resident memory (the CSV is streamed, so the two should be close).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURE = ROOT / "fixtures" / "batches" / "early-discovery.csv"
BASE = ROOT / "fixtures" / "batches" / "early-discovery.yaml"


def make_rows(path: Path, count: int) -> None:
    with FIXTURE.open(newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle))
    header, body = records[0], records[1:]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for index in range(count):
            row = list(body[index % len(body)])
            row[0] = f"3:24-cv-{index:05d}"
            writer.writerow(row)


def naive_loop(rows: Path, out: Path, limit: int) -> int:
    """DocxTemplate(path) -> render -> save, once per row."""
    from docxtpl import DocxTemplate
    from markupsafe import Markup

    from assembler.batch import CsvRows, load_base, merge_row, BatchOptions
    from assembler.case import validate_case
    from assembler.environment import make_environment
    from assembler.order import OrderWriter
    from assembler.prose import FootnoteBook, markdown_to_ooxml
    from assembler.rawdata import LocatedData
    from assembler.render import chambers_for
    from assembler.resources import default_template

    template = default_template()
    base = load_base(BatchOptions(rows_file=rows, out_dir=out, base=BASE))
    env = make_environment(autoescape=True)
    written = 0
    for row, cells in CsvRows(rows).rows():
        if written >= limit:
            break
        case = validate_case(LocatedData(merge_row(base, cells), {}, str(rows)), row=row)
        chambers, library = chambers_for(case, BASE.parent)
        text = OrderWriter(library).compose(case, chambers)
        book = FootnoteBook()
        context = dict(text.context)
        context["sections"] = {name: Markup(markdown_to_ooxml(src, book)) if src.strip() else ""
                               for name, src in text.sections.items()}
        context["sections"]["attachments"] = [
            {"title": a["title"], "body": Markup(markdown_to_ooxml(a["body"], book))}
            for a in text.attachments]
        document = DocxTemplate(str(template))
        document.render(context, jinja_env=env)
        document.save(str(out / f"{row}.docx"))
        written += 1
    return written


def verify(out: Path, count: int) -> None:
    """Every order a valid .docx, and the manifest complete: one ok line per row."""
    with (out / "manifest.csv").open(newline="", encoding="utf-8-sig") as handle:
        entries = list(csv.DictReader(handle))
    if len(entries) != count or any(e["status"] != "ok" for e in entries):
        raise SystemExit(f"{out}: the manifest does not list {count} finished rows")
    for entry in entries:
        with zipfile.ZipFile(out / entry["output"]) as archive:
            if archive.testzip() is not None or "word/document.xml" not in archive.namelist():
                raise SystemExit(f"{out / entry['output']}: not a valid .docx")
        if hashlib.sha256((out / entry["output"]).read_bytes()).hexdigest() != entry["sha256"]:
            raise SystemExit(f"{out / entry['output']}: does not match its manifest line")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB) of one command run as its own process."""
    os.sync()  # earlier runs' dirty pages must not be flushed on this run's time
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss


def cli(rows: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "assembler", "batch", str(rows), "--base", str(BASE),
            "-o", str(out), "-j", str(jobs), *extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--naive-rows", type=int, default=None,
                        help="rows for the naive loop (default: the same; it is slow)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true",
                        help="also compare peak memory for 1,000 and 10,000 rows")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to write the outputs (default: the system's temp folder)")
    parser.add_argument("--naive-worker", nargs=3, metavar=("ROWS", "OUT", "LIMIT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_worker:
        rows, out, limit = args.naive_worker
        naive_loop(Path(rows), Path(out), int(limit))
        return
    naive_rows = args.naive_rows or args.rows
    work = Path(tempfile.mkdtemp(prefix="assembler-bench-", dir=args.workdir))
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=str(work / "cache"))
    # Into the source tree's (git-ignored) __pycache__ folders, where an import looks first.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "assembler")],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        rows = work / "rows.csv"
        make_rows(rows, args.rows)
        warm = work / "warm.csv"
        make_rows(warm, 2)
        timed(cli(warm, work / "warm", 1), env)  # fills the compile cache
        results: dict[str, list[float]] = {"naive": [], "j1": [], f"j{args.jobs}": [],
                                           "dry": [], "cold": []}
        for attempt in range(args.repeat):
            out = work / f"naive{attempt}"
            out.mkdir()
            seconds, _ = timed([sys.executable, __file__, "--naive-worker", str(rows), str(out),
                                str(naive_rows)], env)
            results["naive"].append(naive_rows / seconds)
            for jobs in (1, args.jobs):
                seconds, _ = timed(cli(rows, work / f"j{jobs}-{attempt}", jobs), env)
                results[f"j{jobs}"].append(args.rows / seconds)
            seconds, _ = timed(cli(rows, work / f"dry-{attempt}", 1, "--dry-run"), env)
            results["dry"].append(args.rows / seconds)
            cold = dict(env, ASSEMBLER_CACHE_DIR=str(work / f"cold-cache-{attempt}"))
            seconds, _ = timed(cli(rows, work / f"cold-{attempt}", 1), cold)
            results["cold"].append(args.rows / seconds)
        for jobs in (1, args.jobs):
            verify(work / f"j{jobs}-{args.repeat - 1}", args.rows)
        median = {k: statistics.median(v) for k, v in results.items()}
        print(f"rows: {args.rows} (naive loop: {naive_rows}), repeats: {args.repeat}, "
              f"cores: {os.cpu_count()}")
        print(f"naive docxtpl loop : {median['naive']:8.1f} docs/s")
        print(f"assembler batch -j1: {median['j1']:8.1f} docs/s")
        print(f"assembler batch -j{args.jobs}: {median[f'j{args.jobs}']:8.1f} docs/s")
        print(f"assembler batch -j1 --dry-run (render, no disk writes): {median['dry']:8.1f} docs/s")
        print(f"assembler batch -j1, empty compile cache: {median['cold']:8.1f} docs/s")
        print(f"ratio -j1 / naive: {median['j1'] / median['naive']:.1f}")
        print(f"ratio -j1 --dry-run / naive: {median['dry'] / median['naive']:.1f}")
        print(f"ratio -j1 empty cache / naive: {median['cold'] / median['naive']:.1f}")
        print(f"ratio -j{args.jobs} / -j1: {median[f'j{args.jobs}'] / median['j1']:.2f}")
        print(f"verified: -j1 and -j{args.jobs} each wrote {args.rows} valid .docx files and a "
              "complete manifest")
        if args.memory:
            peaks = {}
            for count in (1000, 10000):
                big = work / f"rows{count}.csv"
                make_rows(big, count)
                _, peaks[count] = timed(cli(big, work / f"mem{count}", 1), env)
            print(f"peak memory, -j1: 1,000 rows {peaks[1000] / 1024:.0f} MiB; "
                  f"10,000 rows {peaks[10000] / 1024:.0f} MiB; "
                  f"ratio {peaks[10000] / peaks[1000]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
