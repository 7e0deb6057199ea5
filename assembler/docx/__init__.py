"""The OOXML layer: compiled templates, footnotes, metadata and deterministic packages.

It knows WordprocessingML and nothing of courts.
"""

from .package import Package, read_package, write_package
from .template import CompiledTemplate, RenderedDocument

__all__ = ["CompiledTemplate", "RenderedDocument", "Package", "read_package", "write_package"]
