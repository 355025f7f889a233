"""ctoc-kg: the UNTOC Conference of the Parties reports as a linked-data knowledge graph.

`load`, `query` and `queries` (the Python API, `kg_build/api.py`) are imported on first use, so importing the
package stays cheap: no rdflib, pyoxigraph or pandas until one of them is called.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg_build.api import LibraryQuery, Rows, UnknownQuery, load, queries, query

try:
    __version__ = version("ctoc-kg")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__", "load", "query", "queries", "Rows", "LibraryQuery", "UnknownQuery"]


def __getattr__(name: str) -> object:
    """The API names, imported from kg_build.api when first asked for (PEP 562)."""
    if name in __all__[1:]:
        return getattr(import_module("kg_build.api"), name)
    raise AttributeError(f"module 'kg_build' has no attribute {name!r}")
