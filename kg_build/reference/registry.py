"""Load the curated registries of ``data/registries/`` (YAML lists of mappings), with precise errors."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kg_build.errors import InputError
from kg_build.paths import DATA_DIR

REGISTRY_DIR = DATA_DIR / "registries"
REPORTS_DIR = DATA_DIR / "reports"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same result, faster


@cache
def load_registry(name: str, directory: Path = REGISTRY_DIR) -> tuple[dict[str, Any], ...]:
    """The entries of ``<directory>/<name>.yaml``: a YAML list of mappings."""
    path = directory / f"{name}.yaml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise InputError(path, 0, "registry file is missing") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(path, mark.line + 1 if mark else 0, f"invalid YAML: {err}") from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise InputError(path, 1, "expected a YAML list of mappings")
    return tuple(data)
