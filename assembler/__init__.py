"""assembler: United States court orders assembled from structured case data."""

__version__ = "0.1.0"

from .case import Case, load_case  # noqa: E402
from .errors import AssemblerError  # noqa: E402
from .output import write_atomic  # noqa: E402
from .engine import Engine  # noqa: E402
from .render import RenderedOrder, render_order  # noqa: E402
from .workflow import RenderReport, render_case  # noqa: E402

__all__ = ["AssemblerError", "Case", "Engine", "RenderReport", "RenderedOrder", "load_case",
           "render_case", "render_order", "write_atomic", "__version__"]
