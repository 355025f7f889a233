"""The `ctoc-kg` command: wires the pipeline stages together; each subcommand lives in its own module.

A command module exposes `add_parser(subparsers)` (which sets `func`) and is listed in COMMANDS under its name.
Only the module of the command given is imported (all of them for help or an unknown word), so that a quick
command such as `query` does not pay for the build's imports (pyshacl, owlrl, the corpus workers).
Errors become one line on stderr and an exit code: 2 for unusable input, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import kg_build
from kg_build.errors import InputError, UsageError

COMMANDS: dict[str, str] = {
    "build": "kg_build.cli.build",
    "stats": "kg_build.cli.stats",
    "reason": "kg_build.cli.reason",
    "validate": "kg_build.cli.validate",
    "query": "kg_build.cli.query",
    "serve": "kg_build.cli.serve",
    "push": "kg_build.cli.push",
}


class _VersionAction(argparse.Action):
    """`--version`: print the version, read from the package metadata only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"ctoc-kg {kg_build.__version__}")
        parser.exit()


def command_modules(argv: Sequence[str]) -> list[str]:
    """The modules to import for `argv`: the given command's alone; none without a command (`--version`); all
    of them for the top-level help or a word that is not a command (argparse then lists every choice)."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    if word in COMMANDS:
        return [COMMANDS[word]]
    if word is None and not {"-h", "--help"} & set(argv):
        return []
    return list(COMMANDS.values())


def make_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Build the argument parser with the subcommands `argv` needs (every one when argv is None)."""
    parser = argparse.ArgumentParser(prog="ctoc-kg", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules([]) if argv is None else command_modules(argv):
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = make_parser(argv).parse_args(argv)
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
