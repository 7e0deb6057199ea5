"""The one Jinja environment every template part and clause renders in: sandboxed, strict.

Templates come from template authors and may not run code: the sandbox blocks attribute walks
(`__class__`, `__globals__`), there is no file or network access, and arithmetic that would
build huge values (`'a' * 10**9`) is refused before it runs.
"""

from __future__ import annotations

import operator
import re
import signal
import threading
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import jinja2
from jinja2 import BaseLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .deadlines import long_date, ordinal

MAX_VALUE_LENGTH = 1_000_000  # characters in one computed string or list
MAX_EXPONENT = 100
MAX_OUTPUT_CHARS = 20_000_000  # one rendered part or clause
MAX_SECONDS = 10.0  # one rendered part or clause


class RenderLimitError(SecurityError):
    """A template exceeded the output-size or time limit."""


class OrderEnvironment(SandboxedEnvironment):
    """A sandbox that also caps the size of values built by `*` and `**`."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent {right} is larger than templates may use")
            return operator.pow(left, right)
        if op == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                    if len(seq) * count > MAX_VALUE_LENGTH:
                        raise SecurityError("a repeated value would exceed the size limit "
                                            f"of {MAX_VALUE_LENGTH:,} characters")
            return operator.mul(left, right)
        return super().call_binop(context, op, left, right)


def money(amount: Decimal | int | float) -> str:
    """Dollars as courts write them: $7,500.00; $95,250.00."""
    try:
        if isinstance(amount, bool):
            raise ArithmeticError
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ValueError(f"money needs an amount, not {amount!r}") from None
    return f"${value:,.2f}"


def _longdate(day: Any) -> str:
    if not isinstance(day, date):
        raise ValueError(f"longdate needs a date, not {day!r}")
    return long_date(day)


def _ordinal(number: Any) -> str:
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError(f"ordinal needs a whole number, not {number!r}")
    return ordinal(number)


class _NoLoader(BaseLoader):
    """Templates and clauses stand alone: `include`, `import` and `extends` reach nothing
    (a clause calls another with clause('id'))."""

    def get_source(self, environment: Any, template: str) -> Any:
        raise SecurityError(f"'{template}': include, import and extends are not available "
                            "(call another clause with clause('id'))")


def _upper(text: Any) -> Any:
    return text.upper() if isinstance(text, str) else text


def make_environment(*, autoescape: bool) -> OrderEnvironment:
    """A strict sandbox; `autoescape` on for XML parts, off for Markdown clauses."""
    env = OrderEnvironment(autoescape=autoescape, undefined=StrictUndefined,
                           keep_trailing_newline=True, loader=_NoLoader())
    env.filters.update({"longdate": _longdate, "ordinal": _ordinal, "money": money,
                        "upper": _upper})
    return env


@contextmanager
def time_limit(seconds: float | None = None):
    """Bound the time of everything rendered inside (one document: its parts and clauses)."""
    seconds = MAX_SECONDS if seconds is None else seconds
    # SIGALRM interrupts even a template loop that calls nothing; it is only available in
    # the main thread, where the CLI and the batch workers render.
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise RenderLimitError(f"rendering took longer than {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_limited(template: Any, context: Any, *, max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Render a Jinja template, stopping it once its output exceeds the size limit.

    (The time limit is set around a whole document with `time_limit`.)
    """
    pieces: list[str] = []
    size = 0
    for piece in template.generate(context):
        size += len(piece)
        if size > max_chars:
            raise RenderLimitError(f"the output exceeds the limit of {max_chars:,} characters")
        pieces.append(piece)
    return "".join(pieces)


def undefined_message(exc: jinja2.UndefinedError) -> str:
    """Jinja's "'dict object' has no attribute 'tittle'" in a template author's words."""
    match = (re.search(r"has no attribute '([^']+)'", exc.message or "")
             or re.search(r"'([^']+)' is undefined", exc.message or ""))
    if match is None:
        return f"uses an undefined value: {exc.message}"
    return f"uses '{match.group(1)}', which no case gives (misspelt?)"


def template_line(exc: BaseException) -> int | None:
    """The template line a render error happened on (Jinja maps its frames to the source)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
