"""The `ctoc-kg` command: wires the pipeline stages together; each subcommand lives in its own module.

A command module exposes `add_parser(subparsers)` (which sets `func`) and is listed in COMMANDS.
Errors become one line on stderr and an exit code: 2 for unusable input, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kg_build import __version__
from kg_build.errors import InputError, UsageError

COMMANDS: tuple[str, ...] = (
    "kg_build.cli.build",
    "kg_build.cli.stats",
    "kg_build.cli.reason",
    "kg_build.cli.validate",
    "kg_build.cli.query",
    "kg_build.cli.serve",
    "kg_build.cli.push",
)


def make_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="ctoc-kg", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"ctoc-kg {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (InputError, UsageError) as err:
        print(f"ctoc-kg: {err}" if isinstance(err, UsageError) else str(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ctoc-kg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
