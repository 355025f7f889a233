"""Read the project's small YAML files safely: bounded size and nesting, no anchors or aliases, one-line errors.

Anchors and aliases are refused while the file is still a stream of events, before anything is composed,
so an alias bomb (``&a [x, x] … &b [*a, *a] …``) costs no more than its own bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from kg_build.errors import InputError

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same result, faster
MAX_DEPTH = 32
COLLECTION_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
COLLECTION_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def read_yaml_text(path: Path, max_bytes: int, what: str) -> str:
    """The text of `path` when it is readable UTF-8 of at most `max_bytes` bytes."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, 0, f"{what} is {size:,} bytes, over the limit of {max_bytes:,}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, 0, f"{what} is missing") from None
    except OSError as err:
        raise InputError(path, 0, f"cannot read {what}: {err.strerror or err}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, raw.count(b"\n", 0, err.start) + 1, f"{what} is not UTF-8 text") from None


def check_events(path: Path, text: str) -> None:
    """Walk the YAML event stream and refuse anchors, aliases and deep nesting, naming the line."""
    depth = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise InputError(path, line, "YAML anchors and aliases (& and *) are not allowed here")
        if isinstance(event, COLLECTION_START):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(path, line, f"YAML nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, COLLECTION_END):
            depth -= 1


def compose_yaml(path: Path, max_bytes: int, what: str) -> yaml.Node | None:
    """The checked node tree of `path` (None for an empty document), for callers that need positions."""
    text = read_yaml_text(path, max_bytes, what)
    with yaml_errors(path):
        check_events(path, text)
        return yaml.compose(text, Loader=SAFE_LOADER)


def load_yaml(path: Path, max_bytes: int, what: str) -> Any:
    """The data of `path`, loaded with the safe loader after the checks of `check_events`."""
    text = read_yaml_text(path, max_bytes, what)
    with yaml_errors(path):
        check_events(path, text)
        return yaml.load(text, Loader=SAFE_LOADER)


def construct(node: yaml.Node | None) -> Any:
    """Python data of a node tree composed by `compose_yaml` (safe constructors only)."""
    return None if node is None else yaml.SafeLoader("").construct_document(node)


@contextmanager
def yaml_errors(path: Path) -> Iterator[None]:
    """Turn a YAMLError into one InputError line: file, line, column and the parser's problem."""
    try:
        yield
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        context = getattr(err, "context", None)
        detail = (f"{context}: {problem}" if context else problem).split()
        where = f" (column {mark.column + 1})" if mark else ""
        raise InputError(path, mark.line + 1 if mark else 0, f"invalid YAML{where}: {' '.join(detail)}") from None
    except RecursionError:
        raise InputError(path, 0, "invalid YAML: nested too deeply") from None
