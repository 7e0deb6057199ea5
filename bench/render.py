"""Single-render benchmark: `assembler render` of the seed order against pandoc, in one run.

    python bench/render.py [--repeat 7]

pandoc turns the same order text (the reference order's Markdown, fixtures/reference/) into a
.docx; `assembler render` renders the seed case file, cite-check and privacy scan included,
as a user runs it. Every figure is a whole process (interpreter start and imports included),
timed in alternating rounds so that the machine's load falls on all alike, and the medians
are compared. Three renders:

- "warm": the same render again, nothing it read changed since (a clerk renders, reads, renders
  again; a script re-renders a folder of case files): the render memo replays it
  (assembler/memo.py);
- "edited": the case file was edited since (here a comment changes each round), so the memo
  misses and the order is composed, cite-checked and scanned again, with the compile cache's
  templates, clauses and cite-check findings warm;
- "cold": an empty cache, as the first render after installing or changing the package.

The package is byte-compiled first, as `pip install` does. Besides wall-clock time, the CPU
time each process used is reported: on a machine shared with other work it leaves out the
time spent waiting for a core, which falls unevenly on a 0.05 s process and a 0.3 s one.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "cases" / "malibu-media-v-doe.yaml"
ORDER_TEXT = ROOT / "fixtures" / "reference" / "malibu-media-v-doe.order.md"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds of the whole process, and the CPU seconds (user + system) it used:
    on a machine shared with other work the CPU time does not count waiting for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        raise SystemExit("pandoc is not installed")
    compileall.compile_dir(str(ROOT / "assembler"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="assembler-render-bench-"))
    try:
        # The seed and its chambers folder where a round may edit the case file.
        (work / "cases").mkdir()
        case = work / "cases" / SEED.name
        seed_text = SEED.read_text(encoding="utf-8")
        case.write_text(seed_text, encoding="utf-8")
        shutil.copytree(ROOT / "fixtures" / "chambers", work / "chambers")
        env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=str(work / "cache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        render = [sys.executable, "-m", "assembler", "render", str(case), "-o",
                  str(work / "order.docx"), "--force"]
        convert = [pandoc, str(ORDER_TEXT), "-o", str(work / "pandoc.docx")]
        timed(render, env)  # fills the compile cache and the memo, as an earlier render would
        timed(convert, env)
        runs: dict[str, list[tuple[float, float]]] = {
            "warm": [], "pandoc": [], "edited": [], "cold": []}
        for attempt in range(args.repeat):
            case.write_text(seed_text, encoding="utf-8")  # as the memo's render read it
            runs["warm"].append(timed(render, env))
            runs["pandoc"].append(timed(convert, env))
            case.write_text(f"{seed_text}# edit {attempt}\n", encoding="utf-8")
            runs["edited"].append(timed(render, env))
            fresh = dict(env, ASSEMBLER_CACHE_DIR=str(work / f"cold{attempt}"))
            runs["cold"].append(timed(render, fresh))
            case.write_text(seed_text, encoding="utf-8")
            timed(render, env)  # the memo holds the seed again (the edit replaced it)
        assert (work / "order.docx").stat().st_size > 0 and (work / "pandoc.docx").exists()
        wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
        print(f"runs: {args.repeat} (alternating; medians; load average "
              f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
        print("                                       wall s   CPU s")
        print(f"assembler render, warm (unchanged)   : {wall['warm']:6.3f}  {cpu['warm']:6.3f}")
        print(f"pandoc, same order text              : {wall['pandoc']:6.3f}  {cpu['pandoc']:6.3f}")
        print(f"assembler render, case file edited   : {wall['edited']:6.3f}  {cpu['edited']:6.3f}")
        print(f"assembler render, empty cache (cold) : {wall['cold']:6.3f}  {cpu['cold']:6.3f}")
        for name, goal in (("warm", " (goal <= 3)"), ("edited", ""), ("cold", "")):
            print(f"ratio {name} / pandoc: {wall[name] / wall['pandoc']:.2f} wall, "
                  f"{cpu[name] / cpu['pandoc']:.2f} CPU{goal}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
