"""Every file in tests/fixtures/invalid/ and tests/fixtures/valid/ is a test case.

An invalid fixture (a small broken graph, or a report text) comes with ``<name>.expect.yaml``: what is
broken, the exit code, and exactly which check (shape, QC rule or the reasoner) fires on which focus
node with which constraint component and severity. A valid fixture must conform. Each graph fixture
is also validated by the naive path (pyshacl with its own OWL RL inference, SPARQL per focus node),
which must give the same SHACL results as the fast path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg_build.cli import main
from kg_build.graph_files import read_graph
from kg_build.reason.closure import compute_closure, load_ontology
from kg_build.validate.shapes import ValidationFailed, load_shapes, naive_shacl_findings, shacl_findings
from tests.conftest import FIXTURES

INVALID = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.suffix in (".ttl", ".txt"))
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
EXPAND = {"ctocsh:": "https://w3id.org/ctoc-kg/shapes#", "ctoc:": "https://w3id.org/ctoc-kg/ontology#",
          "id:": "https://w3id.org/ctoc-kg/id/"}

Key = tuple[str, str, str, str]


def spec_of(fixture: Path) -> dict[str, Any]:
    """The fixture's sidecar (``x.ttl`` → ``x.expect.yaml``, ``x.zh.txt`` → ``x.zh.expect.yaml``); {} if none."""
    sidecar = fixture.with_suffix(".expect.yaml")
    return yaml.safe_load(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}


def expand(text: str) -> str:
    for prefix, namespace in EXPAND.items():
        if text.startswith(prefix):
            return namespace + text[len(prefix):]
    return text


def expected_keys(spec: dict[str, Any]) -> set[Key]:
    return {(e["severity"], expand(e["check"]), e["component"], expand(e["focus"])) for e in spec.get("expect") or []}


def found_keys(findings: list[dict[str, str]], ignore: list[str]) -> set[Key]:
    return {(f["severity"], f["check"], f["component"], f["focus"]) for f in findings if f["check"] not in ignore}


def validate_args(fixture: Path, spec: dict[str, Any]) -> list[str]:
    args = ["validate", str(fixture), "--format", "json"]
    if spec.get("ontology") == "self":
        args += ["--ontology", str(fixture)]
    if spec.get("whole_build"):
        args.append("--whole-build")
    return args


def test_fixture_folders_hold_cases() -> None:
    assert len(INVALID) >= 20, "at least 20 broken fixtures"
    assert VALID, "at least one valid fixture"
    for fixture in INVALID:
        spec = spec_of(fixture)
        assert spec.get("broken") and "exit" in spec, f"{fixture.name}: sidecar must say what is broken and the exit"
        assert spec["exit"] == 2 or spec.get("expect"), f"{fixture.name}: a validated fixture names its findings"


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.name)
def test_invalid_fixture(fixture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = spec_of(fixture)
    ignore = [expand(c) for c in spec.get("ignore") or []]
    if spec.get("build"):  # a report text: the build itself must refuse and publish nothing
        out = tmp_path / "dist"
        with pytest.raises(ValidationFailed) as refused:
            main(["build", str(fixture), "--out", str(out)])
        assert refused.value.code == spec["exit"] == 1
        assert not out.exists(), "a refused build must not publish a dist/"
        assert "validation failed" in capsys.readouterr().err
        findings = [vars(f) for f in refused.value.report.findings]
    else:
        code = main(validate_args(fixture, spec))
        captured = capsys.readouterr()
        assert code == spec["exit"], captured.err
        if code == 2:
            assert captured.out == "" and "error" in captured.err
            return
        report = json.loads(captured.out)
        assert report["conforms"] is (code == 0)
        findings = report["findings"]
    assert found_keys(findings, ignore) == expected_keys(spec)


@pytest.mark.parametrize("fixture", VALID, ids=lambda p: p.name)
def test_valid_fixture(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(validate_args(fixture, spec_of(fixture)))
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["conforms"] and report["findings"] == []


GRAPHS = [p for p in INVALID + VALID if p.suffix == ".ttl" and spec_of(p).get("exit", 0) != 2
          and not any(e["check"].startswith("syntax:") for e in spec_of(p).get("expect") or [])]


@pytest.mark.parametrize("fixture", GRAPHS, ids=lambda p: p.name)
def test_fast_path_equals_naive_path(fixture: Path) -> None:
    """The SHACL results (shape or constraint, component, focus, value, severity) of both paths agree."""
    ontology = read_graph([fixture]) if spec_of(fixture).get("ontology") == "self" else load_ontology()
    asserted = read_graph([fixture])
    shapes = load_shapes()
    fast = shacl_findings(asserted + compute_closure(asserted, ontology).inferred, shapes)
    naive = naive_shacl_findings(asserted, ontology, shapes)

    def keys(findings: list) -> set[tuple[str, ...]]:
        return {(f.check, f.component, f.focus, f.value, f.severity) for f in findings}

    assert keys(fast) == keys(naive)
