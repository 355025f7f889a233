"""Find the report files a build reads, with the metadata file that may sit beside each one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from kg_build.errors import InputError

REPORT_SUFFIX = ".txt"


@dataclass(frozen=True)
class ReportMeta:
    """Curated facts about a report that its text lacks (sidecar ``NAME.yaml`` beside ``NAME.txt``)."""

    body: str | None = None
    symbol: str | None = None
    title_en: str | None = None
    path: Path | None = None


@dataclass(frozen=True)
class ReportFile:
    """A report to build: its text file and its metadata."""

    path: Path
    meta: ReportMeta


def find_reports(sources: list[Path]) -> list[ReportFile]:
    """Every ``*.txt`` under the given files or folders, sorted, each with its metadata."""
    paths: set[Path] = set()
    for source in sources:
        if source.is_dir():
            paths.update(p for p in source.rglob(f"*{REPORT_SUFFIX}") if p.is_file())
        elif source.is_file():
            paths.add(source)
        else:
            raise InputError(source, 0, "no such file or folder")
    if not paths:
        raise InputError(", ".join(map(str, sources)), 0, f"no report ({REPORT_SUFFIX}) files found")
    return [ReportFile(path, load_meta(path)) for path in sorted(paths)]


def load_meta(report: Path) -> ReportMeta:
    """Read the sidecar metadata of `report` (``.yaml`` with the same stem), or defaults when absent."""
    sidecar = report.with_suffix(".yaml")
    if not sidecar.exists():
        return ReportMeta()
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(sidecar, mark.line + 1 if mark else 0, f"invalid YAML: {err}") from None
    if not isinstance(data, dict):
        raise InputError(sidecar, 1, "expected a mapping of metadata keys")
    unknown = set(data) - {"body", "symbol", "title_en", "source"}
    if unknown:
        raise InputError(sidecar, 1, f"unknown metadata keys: {', '.join(sorted(unknown))}")
    return ReportMeta(data.get("body"), data.get("symbol"), data.get("title_en"), sidecar)
