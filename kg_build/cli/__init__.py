"""The `ctoc-kg` command line: `app` wires the subcommands, one module each."""

from kg_build.cli.app import main

__all__ = ["main"]
