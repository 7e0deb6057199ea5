"""assembler: United States court orders assembled from structured case data."""

__version__ = "0.1.0"

# The library's names, each imported when first used: `import assembler` (and the command
# line, which replays an unchanged render without the case models) stays cheap.
_EXPORTS = {"AssemblerError": "errors", "Case": "case", "load_case": "case",
            "write_atomic": "output", "Engine": "engine", "RenderedOrder": "render",
            "render_order": "render", "RenderReport": "workflow", "render_case": "workflow"}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'assembler' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
