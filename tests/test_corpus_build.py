"""The corpus build: partitions per work, in parallel and cached, merged by a streaming merge. A cached, parallel
build writes the same bytes as a cold serial one and as the in-memory pipeline; an edit rebuilds one partition."""

from __future__ import annotations

import io
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from kg_build.cli import main
from kg_build.corpus import merge
from kg_build.corpus.cache import Cache
from kg_build.corpus.merge import merge_files
from kg_build.pipeline import build_graph
from kg_build.progress import Progress
from kg_build.serialize import canonical_ntriples
from tests.conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from build import write_corpus  # noqa: E402  (bench/build.py: the text-level corpus generator)

SERIES = FIXTURES / "series"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two reports derived from the seed and the series fixtures: 6 texts, 5 works, Chinese and English."""
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 2)
    for text in SERIES.glob("*.txt"):
        shutil.copy(text, folder / text.name)
    return folder


def build(corpus: Path, out: Path, *options: str) -> str:
    """Run `ctoc-kg build` and return what it printed on stderr (the progress lines)."""
    err = io.StringIO()
    old, sys.stderr = sys.stderr, err
    try:
        assert main(["build", str(corpus), "--out", str(out), *options]) == 0
    finally:
        sys.stderr = old
    return err.getvalue()


def files(folder: Path) -> dict[str, bytes]:
    """Every file of a build folder by relative path, with its bytes (the store's database files aside: their
    bytes are the database's business; its content is kg.nt and inferred.nt)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "store" not in p.relative_to(folder).parts}


@pytest.fixture(scope="module")
def builds(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Three builds of the corpus, with what each printed on stderr: cold and serial without a cache, parallel
    filling a cache, parallel again from that cache."""
    root = tmp_path_factory.mktemp("builds")
    cache = str(root / "cache")
    options = {"cold": ("--jobs", "1", "--no-cache"), "parallel": ("--jobs", "2", "--cache", cache),
               "warm": ("--jobs", "2", "--cache", cache)}
    return {name: (root / name, build(corpus, root / name, *opts)) for name, opts in options.items()}


def test_cached_parallel_build_is_byte_identical_to_a_cold_serial_one(builds: dict[str, tuple[Path, str]]) -> None:
    """Every file of the build folder, but the store's database files."""
    cold, printed = builds["cold"]
    assert "build partitions: 5 work(s)" in printed and "0 from the cache" in printed
    assert "0 from the cache" in builds["parallel"][1] and "5 from the cache" in builds["warm"][1]
    reference = files(cold)
    assert len(reference) > 100
    for other in ("parallel", "warm"):
        got = files(builds[other][0])
        assert sorted(got) == sorted(reference)
        assert [name for name in reference if got[name] != reference[name]] == []


def test_merged_graph_equals_the_in_memory_pipeline(corpus: Path, builds: dict[str, tuple[Path, str]]) -> None:
    merged = (builds["warm"][0] / "kg.nt").read_text(encoding="utf-8")
    assert merged == canonical_ntriples(build_graph([corpus]).graph)


def test_one_edited_report_rebuilds_one_partition(corpus: Path, tmp_path: Path) -> None:
    """The rebuild replaces the first build in place: unchanged pages are linked from it, and the old folder is
    removed by a detached process."""
    edited = tmp_path / "corpus"
    shutil.copytree(corpus, edited)
    cache, out = str(tmp_path / "cache"), tmp_path / "dist"
    build(edited, out, "--cache", cache)
    before = files(out)
    target = edited / "wg-tip-2015.en.txt"
    text = target.read_text(encoding="utf-8")
    assert "entered into force" in text
    target.write_text(text.replace("entered into force", "came into force", 1), encoding="utf-8")
    again = build(edited, out, "--cache", cache)
    assert "build partitions: 5 work(s)" in again and "4 from the cache" in again  # wg-tip-2015 (zh + en) only
    build(edited, tmp_path / "cold", "--jobs", "1", "--no-cache")
    after = files(out)
    assert after == files(tmp_path / "cold")
    assert after["kg.nt"] != before["kg.nt"]
    edited_page = out / "site" / "id" / "doc" / "CTOC" / "COP" / "WG.4" / "2015" / "6" / "para_1" / "index.html"
    assert "came into force" in edited_page.read_text(encoding="utf-8")
    site = next(line for line in again.splitlines() if line.startswith("publish site (static): "))
    pages, unchanged = (int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:pages|unchanged)", site))
    assert 0 < pages - unchanged < pages / 10  # the pages of the edited report's units and of what they name
    deadline = time.monotonic() + 60
    while any(p.name.startswith(".dist.old-") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "cold", "corpus", "dist"]


def test_progress_is_one_line_per_stage_off_a_terminal(builds: dict[str, tuple[Path, str]]) -> None:
    printed = builds["warm"][1]
    stages = [line.split(":", 1)[0] for line in printed.splitlines() if not line.startswith("warning:")]
    assert stages == ["read", "build partitions", "merge", "validate", "publish ontology docs", "publish dumps",
                      "publish void", "publish site (static)", "publish"]
    assert "read: 6 report(s)" in printed


def test_quiet_build_prints_warnings_only(corpus: Path, tmp_path: Path) -> None:
    quiet = build(corpus, tmp_path / "quiet", "--quiet", "--no-cache", "--jobs", "1")
    assert quiet and all(line.startswith("warning:") for line in quiet.splitlines())


def test_a_failed_partition_leaves_no_cache_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path)

    def fails(folder: Path) -> None:
        (folder / "asserted.nt").write_text("<a> <b> <c> .\n", encoding="utf-8")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        cache.build_partition("k" * 64, fails)
    assert list((tmp_path / "partitions").iterdir()) == []
    folder, _ = cache.build_partition("k" * 64, lambda f: (f / "asserted.nt").write_text("x\n", encoding="utf-8"))
    assert cache.partition("k" * 64) == folder and (folder / "asserted.nt").read_text(encoding="utf-8") == "x\n"


def test_a_bad_report_stops_a_parallel_build_in_one_line(corpus: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "corpus"
    shutil.copytree(corpus, bad)
    (bad / "broken.zh.txt").write_text("这不是报告\n", encoding="utf-8")
    out = tmp_path / "dist"
    assert main(["build", str(bad), "--out", str(out), "--jobs", "2", "--no-cache", "-q"]) == 2
    err = capsys.readouterr().err
    assert "broken.zh.txt" in err and "Traceback" not in err
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


@pytest.mark.parametrize("fan_in", [2, 3, 256])
def test_merge_is_a_sorted_union_without_the_minus_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          fan_in: int) -> None:
    monkeypatch.setattr(merge, "FAN_IN", fan_in)
    parts = [["a\n", "c\n", "e\n"], ["b\n", "c\n"], [], ["a\n", "f\n"], ["d\n"]]
    sources = []
    for i, part in enumerate(parts):
        path = tmp_path / f"{i}.nt"
        path.write_text("".join(part), encoding="utf-8")
        sources.append(path)
    (tmp_path / "minus.nt").write_text("b\nd\nz\n", encoding="utf-8")
    assert merge_files(sources, tmp_path / "out.nt", tmp_path / "minus.nt") == 4
    assert (tmp_path / "out.nt").read_text(encoding="utf-8") == "a\nc\ne\nf\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".merge")) == []


def test_progress_bars_on_a_terminal_say_counts() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    with Progress(stream).stage("build partitions", total=3, unit="work") as stage:
        for _ in range(3):
            stage.advance()
    text = stream.getvalue()
    assert "0/3 [" in text and "work/s]" in text  # the bar: done/total, ETA, rate
    assert text.endswith("build partitions: 3 work(s), 0.0 s\n")

