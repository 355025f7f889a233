"""Memoised texts (pyLODE's page, the class diagram, the notebook page): produced once per input digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_build.memo import memo_text


def test_memo_produces_once_per_inputs_and_never_stores_a_failure(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTOC_KG_CACHE", str(tmp_path))
    calls: list[str] = []

    def produce(text: str) -> str:
        calls.append(text)
        return text

    assert memo_text("k", ["a", b"b"], lambda: produce("one")) == "one"
    assert memo_text("k", ["a", b"b"], lambda: produce("two")) == "one"  # read back
    assert memo_text("k", ["a", b"c"], lambda: produce("three")) == "three"  # other inputs, other entry
    assert calls == ["one", "three"]

    def fails() -> str:
        raise RuntimeError("pyLODE broke")

    with pytest.raises(RuntimeError):
        memo_text("k", ["x"], fails)
    assert memo_text("k", ["x"], lambda: produce("four")) == "four"
    assert sorted(p.name.startswith(".") for p in (tmp_path / "memo" / "k").iterdir()) == [False, False, False]
