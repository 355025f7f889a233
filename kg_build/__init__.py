"""ctoc-kg: the UNTOC Conference of the Parties reports as a linked-data knowledge graph."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ctoc-kg")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
