"""The `assembler` program's first step: replay an unchanged render, else run the command.

This module imports no more than the render memo needs (`memo`, `cache`, `output`), so a
render whose inputs have not changed since the last one is written again without importing
the command line, the case models or the pipeline.
"""

from __future__ import annotations

import os
import sys


def entry() -> None:
    """The `assembler` program: run a command, then exit without the interpreter's teardown.

    Every file a command writes is closed, and a batch's worker processes have exited, before
    the command returns; what is left is freeing hundreds of modules' objects one by one,
    which takes longer than rendering twenty orders.
    """
    from . import memo

    key = memo.key_for(sys.argv[1:])
    if key is not None:
        if memo.replay(key):  # an unchanged order: written and reported as it was before
            exit_flushed(0)
        memo.start(key)
    from .cli import main

    try:
        main(prog_name="assembler")
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    if key is not None:
        memo.finish(succeeded=code in (0, None))
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    exit_flushed(code or 0)


def exit_flushed(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1  # e.g. stdout was a closed pipe: the output did not all arrive
    os._exit(code)
