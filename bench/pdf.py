"""PDF benchmark: `assembler batch --pdf` at -j 1 and -j 2, and one cold soffice call, in one run.

    python bench/pdf.py [--orders 100] [--repeat 3]

Each configuration is a whole process, timed from start to exit (rendering included), in
alternating order so that the machine's load falls on all alike; the figures are medians of
`--repeat` runs. The per-document cost is a batch's whole run divided by its number of
orders. The cold call is `soffice --headless --convert-to pdf` on one rendered order with a
fresh user profile, as a script that converts each document on its own would do.

`--ceiling` also times LibreOffice alone on the same orders, without assembler: one soffice
process over all of them against two side by side over half each (fresh profiles, made as
assembler makes them). That ratio is what two converters can gain on this machine at most,
since a batch adds its own serial parts (interpreter start, rendering, the manifest).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import BASE, ROOT, make_rows  # noqa: E402 - bench/batch.py, beside this file


def run(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return time.perf_counter() - started


def soffice_alone(soffice: str, shares: list[list[Path]], out: Path) -> float:
    """Seconds for one soffice process per share of the documents, all started at once."""
    from assembler.pdf import new_profile

    profiles = [new_profile(soffice) for _ in shares]
    started = time.perf_counter()
    processes = [subprocess.Popen([soffice, f"-env:UserInstallation={profile.as_uri()}",
                                   "--headless", "--norestore", "--nolockcheck", "--convert-to",
                                   "pdf", "--outdir", str(out), *map(str, share)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for profile, share in zip(profiles, shares, strict=True)]
    for process in processes:
        process.wait()
    seconds = time.perf_counter() - started
    for profile in profiles:
        shutil.rmtree(profile, ignore_errors=True)
    assert len(list(out.glob("*.pdf"))) == sum(map(len, shares))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ceiling", action="store_true",
                        help="also time soffice alone: one process against two")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    work = Path(tempfile.mkdtemp(prefix="assembler-pdf-bench-"))
    try:
        rows = work / "rows.csv"
        make_rows(rows, args.orders)
        times: dict[str, list[float]] = {"-j 1": [], "-j 2": [], "cold": [], "one": [],
                                         "two": []}
        for attempt in range(args.repeat):
            for jobs in ("1", "2"):
                out = work / f"batch-j{jobs}-{attempt}"
                seconds = run([sys.executable, "-m", "assembler", "batch", str(rows), "--base",
                               str(BASE), "-o", str(out), "--pdf", "-j", jobs])
                pdfs = list(out.glob("*.pdf"))
                assert len(pdfs) == args.orders, (jobs, len(pdfs))
                assert all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)
                times[f"-j {jobs}"].append(seconds)
            one = next((work / f"batch-j1-{attempt}").glob("*.docx"))
            target = work / f"cold{attempt}"
            profile = work / f"profile{attempt}"
            times["cold"].append(run([soffice, f"-env:UserInstallation={profile.as_uri()}",
                                      "--headless", "--convert-to", "pdf", "--outdir",
                                      str(target), str(one)]))
            assert (target / f"{one.stem}.pdf").exists()
            if args.ceiling:
                docs = sorted((work / f"batch-j1-{attempt}").glob("*.docx"))
                half = -(-len(docs) // 2)
                times["one"].append(soffice_alone(soffice, [docs], work / f"one{attempt}"))
                times["two"].append(soffice_alone(soffice, [docs[:half], docs[half:]],
                                                  work / f"two{attempt}"))
        j1, j2 = statistics.median(times["-j 1"]), statistics.median(times["-j 2"])
        cold = statistics.median(times["cold"])
        per_document = j2 / args.orders
        print(f"orders: {args.orders}, repeats: {args.repeat}, cores: {os.cpu_count()}")
        print(f"assembler batch --pdf -j 1: {j1:.2f} s ({j1 / args.orders:.3f} s per document)")
        print(f"assembler batch --pdf -j 2: {j2:.2f} s ({per_document:.3f} s per document)")
        print(f"cold soffice call         : {cold:.3f} s per document")
        print(f"ratio -j 2 / -j 1 (speed-up): {j1 / j2:.2f} (goal >= 1.7)")
        print(f"ratio cold / warm per document: {cold / per_document:.1f} (goal >= 10)")
        if args.ceiling:
            one_, two_ = statistics.median(times["one"]), statistics.median(times["two"])
            print(f"soffice alone, 1 process  : {one_:.2f} s")
            print(f"soffice alone, 2 processes: {two_:.2f} s")
            print(f"ratio 1 / 2 processes (the most -j 2 can gain here): {one_ / two_:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
