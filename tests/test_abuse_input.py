"""Hostile and broken input: every probe of issue 12 (input side) as a regression test, then fuzzing.

Each bad input ends in exit 0 (perhaps with warnings) or one line naming file and line with exit 2;
never a traceback, never unbounded time or memory, never a silently wrong unit.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.parse import synthetic_report
from kg_build.cli import main
from kg_build.errors import InputError, UsageError
from kg_build.pipeline import build_graph
from kg_build.publish.output import BUILD_MARKER, staged_output
from kg_build.read.discover import load_meta
from kg_build.read.model import Document, Kind
from kg_build.read.parse import parse_file, parse_source
from kg_build.read.source import SourceText, byte_limit
from kg_build.reference.registry import load_registry
from tests.conftest import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_META = SEED.with_suffix(".yaml").read_text(encoding="utf-8")
PAGE_BREAK = "\n\n\n\n"  # the shape of the PDF's breaks: the seed's lines 32 -> 36
AS_LIMIT = 2 << 30  # address space of a probe child: a regression fails there instead of exhausting the machine


def write_report(folder: Path, text: str, meta: str | None = SEED_META, name: str = "r.zh") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / f"{name}.txt"
    report.write_text(text, encoding="utf-8")
    if meta is not None:
        (folder / f"{name}.yaml").write_text(meta, encoding="utf-8")
    return report


def parse_text(tmp_path: Path, text: str) -> Document:
    return parse_file(write_report(tmp_path, text, meta=None))


def refused(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as err:
        parse_text(tmp_path, text)
    return err.value


def one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the CLI in-process; it must exit 2 with exactly one line on stderr."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def limited_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def run_cli(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process with a bounded address space and time."""
    return subprocess.run([sys.executable, "-m", "kg_build.cli", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limited_child)


# -- metadata files -------------------------------------------------------------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The 'billion laughs' in the allowed key `source`: each level nine aliases of the one before."""
    rows = [f"&l0 [{', '.join(['lol'] * width)}]"]
    rows += [f"&l{n} [{', '.join([f'*l{n - 1}'] * width)}]" for n in range(1, levels)]
    return f"body: wg-international-cooperation\ntitle_en: x\nsource: [{', '.join(rows)}]\n"


def test_yaml_alias_bomb_is_refused_at_once_under_a_memory_limit(tmp_path: Path) -> None:
    bomb = alias_bomb()
    assert len(bomb.encode()) < 1000  # the probe's size: it expands to 9**9 strings when composed
    write_report(tmp_path / "in", SEED_TEXT, bomb)
    started = time.perf_counter()
    result = run_cli(["build", str(tmp_path / "in"), "--out", str(tmp_path / "out")], timeout=60)
    assert time.perf_counter() - started < 30
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"{tmp_path / 'in' / 'r.zh.yaml'}:3: error: YAML anchors and aliases (& and *) " \
                            "are not allowed here\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("meta", "line", "problem"), [
    ("body: wg-international-cooperation\ntitle_en: [a, b]\n", 2, "metadata field 'title_en': Input should be "
                                                                "a valid string"),
    ("title_en: x\nbody: 5\n", 2, "metadata field 'body': Input should be a valid string"),
    ("body: Not A Slug\n", 1, "metadata field 'body': String should match pattern"),
    ("body: wg-international-cooperation\nsymbol: A/../../etc\n", 2, "metadata field 'symbol'"),
    ("body: wg-international-cooperation\ncolour: red\n", 2, "unknown metadata key 'colour'"),
    ("body: [a\n", 2, "invalid YAML (column 1): while parsing a flow sequence"),
    ("- body\n", 1, "expected a mapping of metadata keys"),
    ("body: x\n---\nbody: y\n", 2, "invalid YAML (column 1): expected a single document"),
    ("title_en: " + "[" * 40 + "\n", 1, "YAML nested deeper than 32 levels"),
    ("source: " + "x" * 70_000 + "\n", 0, "metadata file is 70,009 bytes, over the limit of 65,536"),
])
def test_bad_metadata_is_one_line_with_file_line_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           meta: str, line: int, problem: str) -> None:
    report = write_report(tmp_path, SEED_TEXT, meta)
    err = one_line_exit_2(capsys, ["build", str(report), "--out", str(tmp_path / "out")])
    where = f"{report.with_suffix('.yaml')}:{line}" if line else f"{report.with_suffix('.yaml')}"
    assert err.startswith(f"{where}: error: {problem}"), err


def test_unreadable_metadata_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = write_report(tmp_path, SEED_TEXT, meta=None)
    report.with_suffix(".yaml").mkdir()  # unreadable for root too (chmod 000 is not)
    err = one_line_exit_2(capsys, ["build", str(report), "--out", str(tmp_path / "out")])
    assert err == f"{report.with_suffix('.yaml')}: error: cannot read metadata file: Is a directory"


def test_registries_use_the_same_safe_loader(tmp_path: Path) -> None:
    (tmp_path / "states.yaml").write_text("- &s {id: ECU}\n- *s\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_registry("states", tmp_path)
    assert str(err.value) == f"{tmp_path / 'states.yaml'}:1: error: YAML anchors and aliases (& and *) are not " \
                             "allowed here"
    (tmp_path / "bodies.yaml").write_text("- {id: [x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_registry("bodies", tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'bodies.yaml'}:2: error: invalid YAML")
    assert "\n" not in str(err.value)


# -- report texts: size, numbering, cut texts ---------------------------------------------------------------


def test_parsing_is_linear_in_lettered_items(tmp_path: Path) -> None:
    """Four times the paragraphs (26 items each) take about four times as long, not sixteen."""
    def seconds(paragraphs: int) -> float:
        path = write_report(tmp_path, synthetic_report(paragraphs, 26), meta=None, name=f"s{paragraphs}")
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            doc = parse_file(path)
            best = min(best, time.perf_counter() - started)
        assert len(doc.of_kind(Kind.ITEM)) == paragraphs * 26
        return best

    small, large = seconds(300), seconds(1200)
    assert large < 15, large  # the quadratic parser took 46 s for 1,000 paragraphs
    assert large / small < 8, (small, large)


def test_a_file_over_the_size_limit_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    size = SEED.stat().st_size
    err = one_line_exit_2(capsys, ["build", str(SEED), "--out", str(tmp_path / "out"), "--max-bytes", "1000"])
    assert err == f"{SEED}: error: file is {size:,} bytes, over the limit of 1,000 (a report is well under 1 MB; " \
                  "build --max-bytes N raises the limit)"
    with byte_limit(size):
        assert parse_file(SEED).unit("para_43")


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.zh.txt"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: no 50 MB written
    result = run_cli(["build", str(big), "--out", str(tmp_path / "out")], timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{big}: error: file is 50,000,000 bytes, over the limit of 20,000,000")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(("heading", "problem"), [
    ("十十十. 结论和建议", "chapter number: '十十十' is not a Chinese numeral from 一 to 九十九"),
    ("## 二. 结论和建议", "unreadable heading or number '## 二. 结论和建议': stray '##' before it"),
    ("**3. 工作组拟订了下列结论和建议：", "unreadable heading or number"),
])
def test_unreadable_heading_is_one_line_at_its_own_line(tmp_path: Path, heading: str, problem: str) -> None:
    err = refused(tmp_path, SEED_TEXT.replace("\n二. 结论和建议\n", f"\n{heading}\n"))
    assert (err.line, err.problem[: len(problem)]) == (24, problem)


@pytest.mark.parametrize("dateline", ["2012年13月15日，维也纳", "2012年2月30日，维也纳"])
def test_an_impossible_date_in_the_dateline_is_one_line(tmp_path: Path, dateline: str) -> None:
    err = refused(tmp_path, SEED_TEXT.replace("2012年10月15日、16日和18日，维也纳", dateline))
    assert (err.line, err.problem.split(" (")[0]) == (14, f"header: {dateline!r} holds an impossible date")


def test_report_cut_mid_paragraph_builds_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = SEED_TEXT[: SEED_TEXT.index("还讨论了网络成员之间通信安全") + 8]  # inside paragraph 20 (line 90)
    report = write_report(tmp_path / "in", cut)
    assert main(["build", str(report), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "warning: r.zh.txt:90: para_20: the report ends mid-sentence (its last paragraph lacks sentence-final " \
           "punctuation): is the text cut short?\n" in err
    assert (tmp_path / "out" / BUILD_MARKER).is_file()


def test_report_that_lacks_the_annex_it_announces_is_warned(tmp_path: Path) -> None:
    doc = parse_text(tmp_path, SEED_TEXT[: SEED_TEXT.index("附件\n\n**")])
    assert doc.warnings == ["r.zh.txt:176: para_43: '本报告附件' refers to an annex the report lacks: "
                            "is the text cut short?"]
    assert parse_file(SEED).warnings == []


# -- page breaks ---------------------------------------------------------------------------------------------


def test_page_break_at_a_sentence_end_inside_a_paragraph_is_healed(tmp_path: Path) -> None:
    seed = parse_file(SEED)
    broken = SEED_TEXT.replace("及其用途的经验。一些发言者", f"及其用途的经验。{PAGE_BREAK}一些发言者")
    doc = parse_text(tmp_path, broken)
    assert doc.unit("para_13").text == seed.unit("para_13").text
    assert [p.line for p in doc.unit("para_13").pieces] == [74, 78]
    assert not [u.eid for u in doc.units if u.eid.startswith("chp_3/sec_b/subsec")]
    assert [(u.eid, u.text) for u in doc.units if u.eid != "para_13"] == \
           [(u.eid, u.text) for u in seed.units if u.eid != "para_13"]


def test_page_break_before_an_inline_item_label_is_healed(tmp_path: Path) -> None:
    seed = parse_file(SEED)
    for spaced in ("(a)和(b)", "(a) 和 (b)"):
        text = SEED_TEXT.replace("关于以上的问题(a)和(b)", f"关于以上的问题{PAGE_BREAK}{spaced}")
        doc = parse_text(tmp_path, text)
        assert not [u.eid for u in doc.units if u.eid.startswith("para_9/")]
        assert doc.unit("para_9").healed
        if spaced == "(a)和(b)":
            assert doc.unit("para_9").text == seed.unit("para_9").text


def test_an_item_after_an_unfinished_sentence_is_refused(tmp_path: Path) -> None:
    """`(b)` after an item that lost its closing punctuation: ambiguous, so refused with its line."""
    text = SEED_TEXT.replace("开展合作提供便利；\n", "开展合作提供便利\n", 1)
    err = refused(tmp_path, text)
    assert (err.line, err.problem) == (30, "item (b) follows an unfinished sentence (line 28 ends without "
                                           "。；：？！): a page break before an inline item label, or a missing "
                                           "punctuation mark")


def test_unnumbered_prose_after_a_heading_is_refused(tmp_path: Path) -> None:
    err = refused(tmp_path, SEED_TEXT.replace("\n22. 发言者们讨论了", "\n发言者们讨论了"))
    assert (err.line, err.problem.split(":")[0]) == (98, "unnumbered prose outside any paragraph")


# -- the output folder -----------------------------------------------------------------------------------------


def test_out_refuses_a_folder_a_build_did_not_make(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious\n", encoding="utf-8")
    err = one_line_exit_2(capsys, ["build", str(SEED), "--out", str(mine)])
    assert err == f"ctoc-kg: --out {mine}: the folder holds files no build made (no {BUILD_MARKER} in it); " \
                  "refusing to replace it: choose an empty or new folder"
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    err = one_line_exit_2(capsys, ["build", str(SEED), "--out", str(mine / "thesis.tex")])
    assert err.endswith("is a file, not a build folder; refusing to replace it")


def test_out_replaces_a_marked_build_an_empty_folder_and_a_missing_one(tmp_path: Path) -> None:
    for name, setup in (("missing", None), ("empty", []), ("built", [BUILD_MARKER, "kg.nt", "site"])):
        out = tmp_path / name
        if setup is not None:
            out.mkdir()
            for entry in setup:
                (out / entry).write_text("old\n", encoding="utf-8")
        with staged_output(out) as staging:
            (staging / "kg.nt").write_text("new\n", encoding="utf-8")
        assert sorted(p.name for p in out.iterdir()) == [BUILD_MARKER, "kg.nt"], name
        assert (out / "kg.nt").read_text(encoding="utf-8") == "new\n"
    deadline = time.monotonic() + 60  # the replaced folder is removed by a detached process
    while any(".old-" in p.name for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "empty", "missing"]


def test_stale_staging_of_killed_builds_is_removed(tmp_path: Path) -> None:
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    old = time.time() - 3600
    stale = [tmp_path / f".dist.tmp-{dead_pid.pid}-abc", tmp_path / f".dist.old-{dead_pid.pid}-abc"]
    alive = tmp_path / f".dist.tmp-{os.getppid()}-xyz"  # a running process: its build may still be going
    legacy_other = tmp_path / ".other.tmp-1-abc"  # another target's staging is not ours to remove
    for folder in (*stale, alive, legacy_other):
        folder.mkdir()
        (folder / "kg.nt").write_text("partial\n", encoding="utf-8")
        os.utime(folder, (old, old))
    with staged_output(tmp_path / "dist") as staging:
        assert staging.name.startswith(f".dist.tmp-{os.getpid()}-")
    assert not any(p.exists() for p in stale)
    assert alive.exists() and legacy_other.exists()


def test_a_killed_build_leaves_staging_the_next_build_removes(tmp_path: Path) -> None:
    """SIGKILL a real build while it writes, then stage again: the killed build's folder is gone."""
    child = subprocess.Popen([sys.executable, "-c", "import time; from pathlib import Path; "
                              "from kg_build.publish.output import staged_output\n"
                              f"with staged_output(Path({str(tmp_path / 'dist')!r})) as s:\n"
                              "    (s / 'kg.nt').write_text('x'); print('staged', flush=True); time.sleep(60)"],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "staged\n"
    child.kill()
    child.wait()
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".dist.tmp-")]
    assert [p.name.split("-")[1] for p in left] == [str(child.pid)]
    past = time.time() - 5
    os.utime(left[0], (past, past))
    with staged_output(tmp_path / "dist"):
        pass
    assert not left[0].exists()


# -- fuzzing ---------------------------------------------------------------------------------------------------

FULL_TO_HALF = str.maketrans("（）：；，。！？．　", "():;,.!?. ")
HALF_TO_FULL = str.maketrans("():;,.!? ", "（）：；，。！？　")
NOISE_CHARS = ("一二三四五六七八九十年月日附件的会议问题第条款" "ABCabz019 .:;,()"
               "（）。，；：？！、" "-#*¹²\t\n\r\u3000\ufeff")
NOISE = st.text(alphabet=st.sampled_from(list(NOISE_CHARS)), max_size=12)


@st.composite
def mutated_report(draw: st.DrawFn) -> str:
    """The seed with 1-4 random edits: delete, duplicate or swap lines, cut, insert noise, flip widths."""
    lines = SEED_TEXT.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "cut", "insert", "flip"]))
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            text = "\n".join(lines)
            at = draw(st.integers(0, len(text)))
            if op == "cut":
                text = text[:at]
            elif op == "insert":
                text = text[:at] + draw(NOISE) + text[at:]
            else:
                end = min(len(text), at + draw(st.integers(1, 400)))
                table = draw(st.sampled_from([FULL_TO_HALF, HALF_TO_FULL]))
                text = text[:at] + text[at:end].translate(table) + text[end:]
            lines = text.split("\n")
        if not lines:
            lines = [""]
    return "\n".join(lines)


def parse_or_one_line(text: str) -> Document | InputError:
    source = SourceText(Path("fuzz.zh.txt"), "0" * 64, len(text.encode()), "utf-8", text.removeprefix("\ufeff"))
    try:
        return parse_source(source)
    except InputError as err:
        assert "\n" not in str(err) and err.line >= 0, str(err)
        return err


FUZZ = settings(max_examples=300, deadline=2000, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(mutated_report())
def test_fuzz_parse_mutated_reports(text: str) -> None:
    """300 mutated reports: each parses or is refused in one line; no other exception, each within 2 s."""
    result = parse_or_one_line(text)
    if isinstance(result, Document):
        for unit in result.units:  # every unit still quotes its source exactly
            assert unit.start <= unit.end and unit.pieces


@settings(max_examples=25, deadline=10_000, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_report())
def test_fuzz_build_graph_mutated_reports(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    """25 mutated reports through parse, extract, link and map: a graph or one InputError line."""
    report = write_report(tmp_path_factory.mktemp("fuzz"), text)
    try:
        assert len(build_graph([report]).graph) > 0
    except (InputError, UsageError) as err:
        assert "\n" not in str(err), str(err)


YAML_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=30), st.just("wg-international-cooperation"), st.just("CTOC/COP/2012/9"))
YAML_VALUES = st.recursive(YAML_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
META_KEYS = st.sampled_from(["body", "symbol", "title_en", "source", "other", ""])


@st.composite
def metadata_document(draw: st.DrawFn) -> str:
    """A metadata document: random YAML mappings, or the seed's file with random bytes spliced in."""
    import yaml

    if draw(st.booleans()):
        return yaml.safe_dump(draw(st.dictionaries(META_KEYS, YAML_VALUES, max_size=5)), allow_unicode=True)
    at = draw(st.integers(0, len(SEED_META)))
    noise = draw(st.text(alphabet=st.sampled_from(list("&*!|>-:[]{},#'\"\n\t x?%@`")), max_size=10))
    return SEED_META[:at] + noise + SEED_META[at:]


@settings(max_examples=300, deadline=2000, database=None, derandomize=True)
@given(metadata_document())
def test_fuzz_metadata_documents(tmp_path_factory: pytest.TempPathFactory, meta: str) -> None:
    """300 metadata documents: each loads or is refused in one line naming the file."""
    report = write_report(tmp_path_factory.mktemp("meta"), "unused", meta)
    try:
        loaded = load_meta(report)
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith(str(report.with_suffix(".yaml"))), str(err)
    else:
        assert all(v is None or isinstance(v, str) for v in (loaded.body, loaded.symbol, loaded.title_en))


@pytest.mark.parametrize("cut", [0.37, 0.81])
def test_mutated_reports_through_the_cli_exit_0_or_one_line(tmp_path: Path, cut: float) -> None:
    """Two cut reports in a child process: exit 0, or exit 2 and one line; never a traceback."""
    text = SEED_TEXT[: int(len(SEED_TEXT) * cut)]
    report = write_report(tmp_path / "in", text)
    result = run_cli(["build", str(report), "--out", str(tmp_path / "out")])
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        assert result.stderr.count("\n") == 1
    else:
        assert "ends mid-sentence" in result.stderr or "lacks" in result.stderr
