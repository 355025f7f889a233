"""Errors the CLI turns into one readable line and an exit code, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """Bad input: names the file, the line (1-based, 0 when unknown) and the problem. Exit code 2."""

    path: Path | str
    line: int
    problem: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: error: {self.problem}"


class UsageError(Exception):
    """A command was asked for something it cannot do (missing build, bad option value). Exit code 2."""
