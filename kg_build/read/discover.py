"""Find the report files a build reads, with the metadata file that may sit beside each one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kg_build.errors import InputError
from kg_build.read.safe_yaml import compose_yaml, construct, yaml_errors

REPORT_SUFFIX = ".txt"
META_MAX_BYTES = 64 * 1024  # a metadata file holds a few short fields
SYMBOL_PATTERN = r"^[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)+$"  # CTOC/COP/WG.3/2012/1


class MetaSchema(BaseModel):
    """The fields a metadata file may hold, with their types: strings, or absent."""

    model_config = ConfigDict(extra="forbid", strict=True)

    body: str | None = Field(None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", description="slug in bodies.yaml")
    symbol: str | None = Field(None, pattern=SYMBOL_PATTERN, description="UN document symbol")
    title_en: str | None = Field(None, min_length=1, max_length=2000)
    source: str | None = Field(None, max_length=2000)


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
    node = compose_yaml(sidecar, META_MAX_BYTES, "metadata file")
    if node is None:
        return ReportMeta(path=sidecar)
    if not isinstance(node, yaml.MappingNode):
        raise InputError(sidecar, node.start_mark.line + 1, "expected a mapping of metadata keys")
    with yaml_errors(sidecar):
        data = construct(node)
    try:
        meta = MetaSchema.model_validate(data)
    except ValidationError as err:
        raise InputError(sidecar, *schema_problem(node, err)) from None
    return ReportMeta(meta.body, meta.symbol, meta.title_en, sidecar)


def schema_problem(node: yaml.MappingNode, err: ValidationError) -> tuple[int, str]:
    """The line and one-line wording of the first schema violation, naming the field."""
    first = err.errors(include_url=False)[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    lines = {str(construct(key)): key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    line = lines.get(field, node.start_mark.line + 1)
    if first["type"] == "extra_forbidden":
        return line, f"unknown metadata key {field!r} (allowed: {', '.join(MetaSchema.model_fields)})"
    return line, f"metadata field {field!r}: {first['msg']}"
