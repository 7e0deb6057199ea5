"""PDF benchmark: `assembler batch --pdf` on 20 orders against one cold soffice call, in one run.

    python bench/pdf.py [--orders 20] [--repeat 3]

The batch's per-document cost is its whole run (rendering included) divided by the number of
orders; the cold call is `soffice --headless --convert-to pdf` on one rendered order with a
fresh user profile, as a script that converts each document on its own would do. Medians of
`--repeat` runs.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "batches" / "early-discovery.csv"
BASE = ROOT / "fixtures" / "batches" / "early-discovery.yaml"


def run(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    work = Path(tempfile.mkdtemp(prefix="assembler-pdf-bench-"))
    try:
        rows = work / "rows.csv"
        with FIXTURE.open(newline="", encoding="utf-8") as handle:
            records = list(csv.reader(handle))
        with rows.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(records[: args.orders + 1])
        batch, cold = [], []
        for attempt in range(args.repeat):
            out = work / f"batch{attempt}"
            seconds = run([sys.executable, "-m", "assembler", "batch", str(rows), "--base",
                           str(BASE), "-o", str(out), "--pdf", "-j", "2"])
            assert len(list(out.glob("*.pdf"))) == args.orders
            batch.append(seconds / args.orders)
            one = next(out.glob("*.docx"))
            target = work / f"cold{attempt}"
            profile = work / f"profile{attempt}"
            cold.append(run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(target), str(one)]))
            assert (target / f"{one.stem}.pdf").exists()
        per_batch, per_cold = statistics.median(batch), statistics.median(cold)
        print(f"orders: {args.orders}, repeats: {args.repeat}")
        print(f"assembler batch --pdf: {per_batch:.3f} s per document (rendering included)")
        print(f"cold soffice call    : {per_cold:.3f} s per document")
        print(f"ratio cold / batch: {per_cold / per_batch:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
