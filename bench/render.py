"""Single-render benchmark: `assembler render` of the seed order against pandoc, in one run.

    python bench/render.py [--repeat 7]

pandoc turns the same order text (the reference order's Markdown, fixtures/reference/) into a
.docx; `assembler render` renders the seed case file, cite-check and privacy scan included,
as a user runs it. Both are timed as whole processes (interpreter start and imports included),
in alternating pairs so that the machine's load falls on both alike, and the medians are
compared. "warm" is a render whose compile cache an earlier render of the same order filled
(the usual case: a clerk renders, edits, renders again); "cold" starts from an empty cache,
as the first render after installing or changing the package. The package is byte-compiled
first, as `pip install` does.
"""

from __future__ import annotations

import argparse
import compileall
import os
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


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


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
        env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=str(work / "cache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        render = [sys.executable, "-m", "assembler", "render", str(SEED), "-o",
                  str(work / "order.docx"), "--force"]
        convert = [pandoc, str(ORDER_TEXT), "-o", str(work / "pandoc.docx")]
        timed(render, env)  # fills the compile cache, as an earlier render would have
        timed(convert, env)
        warm, reference, cold = [], [], []
        for attempt in range(args.repeat):
            warm.append(timed(render, env))
            reference.append(timed(convert, env))
            fresh = dict(env, ASSEMBLER_CACHE_DIR=str(work / f"cold{attempt}"))
            cold.append(timed(render, fresh))
        assert (work / "order.docx").stat().st_size > 0 and (work / "pandoc.docx").exists()
        med_warm, med_pandoc = statistics.median(warm), statistics.median(reference)
        med_cold = statistics.median(cold)
        print(f"runs: {args.repeat} (alternating; medians)")
        print(f"assembler render, warm cache : {med_warm:.3f} s")
        print(f"pandoc, same order text      : {med_pandoc:.3f} s")
        print(f"assembler render, empty cache: {med_cold:.3f} s")
        print(f"ratio warm / pandoc: {med_warm / med_pandoc:.2f} (goal <= 3)")
        print(f"ratio cold / pandoc: {med_cold / med_pandoc:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
