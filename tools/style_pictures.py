"""Write docs/styles/<style>.png: page 1 of each bundled style's fixture order (README).

`python tools/style_pictures.py` renders each fixture, converts it with LibreOffice and takes
page 1 with pdftoppm at 45 dpi (small enough to commit).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from assembler import load_case, render_order  # noqa: E402
from assembler.pdf import PdfConverter  # noqa: E402

FIXTURES = {"ctd": "malibu-media-v-doe", "federal": "ilnd-order", "sdny": "nysd-order",
            "dnj": "njd-opinion", "cand": "cand-order", "cacd": "cacd-order",
            "caed": "caed-order", "casd": "casd-order"}


def main() -> None:
    out = ROOT / "docs" / "styles"
    out.mkdir(parents=True, exist_ok=True)
    cases = ROOT / "fixtures" / "cases"
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for style, name in FIXTURES.items():
            order = render_order(load_case(cases / f"{name}.yaml"), case_dir=cases)
            assert order.style == style, (name, order.style)
            path = Path(folder) / f"{style}.docx"
            path.write_bytes(order.data)
            sources.append(path)
        with PdfConverter() as converter:
            results = converter.convert(sources)
        for result in results:
            stem = Path(folder) / result.source.stem
            subprocess.run(["pdftoppm", "-png", "-gray", "-r", "45", "-f", "1", "-l", "1",
                            "-singlefile", str(result.pdf), str(stem)], check=True)
            shutil.copy(f"{stem}.png", out / f"{result.source.stem}.png")
            print(f"wrote {out / result.source.stem}.png")


if __name__ == "__main__":
    main()
