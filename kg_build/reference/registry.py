"""Load the curated registries of ``data/registries/`` (YAML lists of mappings), with precise errors."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from kg_build.errors import InputError
from kg_build.paths import DATA_DIR
from kg_build.read.safe_yaml import load_yaml

REGISTRY_DIR = DATA_DIR / "registries"
REPORTS_DIR = DATA_DIR / "reports"
REGISTRY_MAX_BYTES = 4 * 1024 * 1024  # the largest registry (states) is about 10 KB


@cache
def load_registry(name: str, directory: Path = REGISTRY_DIR) -> tuple[dict[str, Any], ...]:
    """The entries of ``<directory>/<name>.yaml``: a YAML list of mappings."""
    path = directory / f"{name}.yaml"
    data = load_yaml(path, REGISTRY_MAX_BYTES, "registry file")
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise InputError(path, 1, "expected a YAML list of mappings")
    return tuple(data)
