"""ctoc-kg: the UNTOC Conference of the Parties reports as a linked-data knowledge graph.

`load`, `query` and `queries` (the Python API, `kg_build/api.py`) and `__version__` are looked up on first use, so
importing the package stays cheap: no rdflib, pyoxigraph, pandas or package metadata scan until one is asked for.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    __version__: str
    from kg_build.api import LibraryQuery, Rows, UnknownQuery, load, queries, query

__all__ = ["__version__", "load", "query", "queries", "Rows", "LibraryQuery", "UnknownQuery"]


@cache
def _version() -> str:
    """The installed distribution's version (importlib.metadata scans sys.path, ~0.1 s: only when asked)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ctoc-kg")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0.0.0"


def __getattr__(name: str) -> object:
    """`__version__` and the API names, imported from kg_build.api, when first asked for (PEP 562)."""
    if name == "__version__":
        return _version()
    if name in __all__[1:]:
        return getattr(import_module("kg_build.api"), name)
    raise AttributeError(f"module 'kg_build' has no attribute {name!r}")
