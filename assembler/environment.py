"""The one Jinja environment every template part and clause renders in: sandboxed, strict.

Templates come from template authors and may not run code: the sandbox blocks attribute walks
(`__class__`, `__globals__`), there is no file or network access, and arithmetic that would
build huge values (`'a' * 10**9`) is refused before it runs.
"""

from __future__ import annotations

import operator
import re
import resource
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
MAX_INT_BITS = 10_000  # an integer a template computes (an amount of money needs about 60)
MAX_OUTPUT_CHARS = 20_000_000  # one rendered part or clause
MAX_SECONDS = 10.0  # one rendered part or clause
MAX_MEMORY_BYTES = 512 << 20  # the process's data while it renders: a bomb fails its document


class RenderLimitError(SecurityError):
    """A template exceeded the output-size or time limit."""


def _too_long(size: int) -> None:
    if size > MAX_VALUE_LENGTH:
        raise RenderLimitError(f"a value would exceed the size limit of {MAX_VALUE_LENGTH:,} "
                               "characters")


def _int_bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) else 0


# A %-format or str.format width or precision: '%0999999999d', '{:>999999999}'.
_PERCENT_WIDTHS = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_WIDTHS = re.compile(r"\d+")


def _check_percent_format(spec: str, args: Any) -> None:
    for width, precision in _PERCENT_WIDTHS.findall(spec):
        for number in (width, precision):
            if number == "*":
                values = args if isinstance(args, tuple) else (args,)
                for value in values:
                    if isinstance(value, int):
                        _too_long(abs(value))
            elif number:
                _too_long(int(number))


def _check_brace_format(spec: str) -> None:
    for field in re.findall(r"\{[^{}]*\}", spec):
        for number in _BRACE_WIDTHS.findall(field.partition(":")[2]):
            _too_long(int(number))


def _check_str_call(text: str, name: str, args: tuple, kwargs: dict) -> None:
    """Refuse str method calls whose result would outgrow the size limit."""
    first = args[0] if args else next(iter(kwargs.values()), None)
    if name in ("center", "ljust", "rjust", "zfill") and isinstance(first, int):
        _too_long(first)
    elif name == "expandtabs":
        _too_long(len(text) * (first if isinstance(first, int) else 8))
    elif name == "replace" and len(args) >= 2 and isinstance(args[1], str):
        old = args[0] if isinstance(args[0], str) else ""
        count = text.count(old) if old else len(text) + 1
        _too_long(len(text) + count * max(0, len(args[1]) - len(old)))
    elif name in ("format", "format_map"):
        _check_brace_format(text)
    elif name == "join" and isinstance(first, (list, tuple)):
        _too_long(len(text) * len(first) + sum(len(str(item)) for item in first))


class OrderEnvironment(SandboxedEnvironment):
    """A sandbox that also caps the size of values built by operators, string methods and
    filters (`'a' * 10**9`, `'%0999999999d' % 1`, `x|center(999999999)`, a huge integer)."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent {right} is larger than templates may use")
            if isinstance(right, int) and _int_bits(left) * abs(right) > MAX_INT_BITS:
                raise RenderLimitError("an integer would exceed the limit of "
                                       f"{MAX_INT_BITS:,} bits")
            return operator.pow(left, right)
        if op == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                    if len(seq) * count > MAX_VALUE_LENGTH:
                        raise SecurityError("a repeated value would exceed the size limit "
                                            f"of {MAX_VALUE_LENGTH:,} characters")
            if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
                raise RenderLimitError("an integer would exceed the limit of "
                                       f"{MAX_INT_BITS:,} bits")
            return operator.mul(left, right)
        if op == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                _too_long(len(left) + len(right))
            return operator.add(left, right)
        if op == "%":
            if isinstance(left, str):
                _check_percent_format(left, right)
            return operator.mod(left, right)
        return super().call_binop(context, op, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _check_str_call(owner, getattr(__obj, "__name__", ""), args, kwargs)
        elif isinstance(owner, list) and getattr(__obj, "__name__", "") in ("extend", "append",
                                                                            "insert"):
            _too_long(len(owner) + (len(args[0]) if args and hasattr(args[0], "__len__")
                                    else 1))
        return super().call(__context, __obj, *args, **kwargs)


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


def dollars(amount: Decimal | int | float) -> str:
    """Dollars as courts write an amount: $450,000 when it is whole, $54,225.50 with cents."""
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int, float)):
        raise ValueError(f"dollars needs an amount, not {amount!r}")
    value = Decimal(str(amount))
    if value == value.to_integral_value():
        return f"${value.to_integral_value():,}"
    return f"${value.quantize(Decimal('0.01')):,.2f}"


def _upper(text: Any) -> Any:
    return text.upper() if isinstance(text, str) else text


def _bounded_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Jinja's filters that can build a value far larger than their input, with a cap."""
    center, indent, replace, fmt = (filters["center"], filters["indent"], filters["replace"],
                                    filters["format"])
    batch, slice_ = filters["batch"], filters["slice"]

    def bounded_center(value: Any, width: int = 80) -> str:
        _too_long(width if isinstance(width, int) else 0)
        return center(value, width)

    def bounded_indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> str:
        text = str(value)
        size = width if isinstance(width, int) else len(str(width))
        _too_long(len(text) + size * (text.count("\n") + 1))
        return indent(value, width, *args, **kwargs)

    def bounded_replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> str:
        _check_str_call(str(value), "replace", (str(old), str(new)), {})
        return replace(eval_ctx, value, old, new, count)

    def bounded_format(value: Any, *args: Any, **kwargs: Any) -> str:
        _check_percent_format(str(value), args)
        return fmt(value, *args, **kwargs)

    def bounded_batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
        _too_long(linecount if isinstance(linecount, int) else 0)
        return batch(value, linecount, fill_with)

    def bounded_slice(value: Any, slices: int, fill_with: Any = None) -> Any:
        _too_long(slices if isinstance(slices, int) else 0)
        return slice_(value, slices, fill_with)

    for wrapper, original in ((bounded_replace, replace),):
        wrapper.jinja_pass_arg = getattr(original, "jinja_pass_arg", None)  # type: ignore
    return {"center": bounded_center, "indent": bounded_indent, "replace": bounded_replace,
            "format": bounded_format, "batch": bounded_batch, "slice": bounded_slice}


def make_environment(*, autoescape: bool) -> OrderEnvironment:
    """A strict sandbox; `autoescape` on for XML parts, off for Markdown clauses."""
    env = OrderEnvironment(autoescape=autoescape, undefined=StrictUndefined,
                           keep_trailing_newline=True, loader=_NoLoader())
    env.filters.update(_bounded_filters(env.filters))
    env.filters.update({"longdate": _longdate, "ordinal": _ordinal, "money": money,
                        "dollars": dollars, "upper": _upper})
    return env


_ACTIVE: list[bool] = []  # a limit is set: renders inside it share it


@contextmanager
def time_limit(seconds: float | None = None):
    """Bound the time and memory of everything rendered inside (one document: its parts and
    clauses). Nested uses share the outer limit."""
    if _ACTIVE:
        yield
        return
    seconds = MAX_SECONDS if seconds is None else seconds
    _ACTIVE.append(True)
    try:
        with _memory_limit(), _alarm(seconds):
            yield
    except MemoryError:
        raise RenderLimitError("rendering needed more memory than the limit of "
                               f"{MAX_MEMORY_BYTES >> 20:,} MiB") from None
    finally:
        _ACTIVE.pop()


@contextmanager
def _alarm(seconds: float):
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


@contextmanager
def _memory_limit():
    """A hard cap on the process's data segment while it renders (RLIMIT_DATA: the heap and
    private mappings, where every Python object lives), so that a value no other check
    caught fails with MemoryError instead of taking the machine; lifted afterwards (a
    LibreOffice started later must not inherit it)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    except (OSError, ValueError, AttributeError):
        yield
        return
    limit = MAX_MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(hard, MAX_MEMORY_BYTES)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield  # a tighter limit is already in force
        return
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (max(limit, _data_size() + (64 << 20)), hard))
    except (OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def _data_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def render_limited(template: Any, context: Any, *, max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Render a Jinja template under the time and memory limits (those of the document
    around it, if one is set), stopping it once its output exceeds the size limit."""
    with time_limit():
        pieces: list[str] = []
        size = 0
        for piece in template.generate(context):
            size += len(piece)
            if size > max_chars:
                raise RenderLimitError(f"the output exceeds the limit of {max_chars:,} "
                                       "characters")
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
